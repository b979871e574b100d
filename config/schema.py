"""drf-spectacular hooks: the envelope and error shapes, and one operation per ``/api/v1`` route."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from config import errors

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["success", "error", "timestamp"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "VALIDATION_ERROR"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
        },
        "data": {"nullable": True},
        "timestamp": {"type": "string", "format": "date-time"},
    },
}

# Errors any authenticated operation can answer with, besides the ones a view names.
COMMON_ERRORS = {
    "400": "VALIDATION_ERROR, MALFORMED_REQUEST",
    "401": "UNAUTHORIZED, TOKEN_INVALID",
    "403": "FORBIDDEN, ACCOUNT_SUSPENDED (details.until), ACCOUNT_BANNED",
    "405": "METHOD_NOT_ALLOWED",
    "415": "UNSUPPORTED_MEDIA_TYPE",
    "429": "RATE_LIMIT_EXCEEDED (with Retry-After)",
    "500": "INTERNAL_ERROR",
}


class SanctionAwareJWTScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SanctionAwareJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def error_responses(*error_classes: type[errors.ApiError]) -> dict:
    """``extend_schema(responses=...)`` entries naming the codes a view can answer with."""
    by_status: dict[int, list[str]] = {}
    for error_class in error_classes:
        by_status.setdefault(error_class.status_code, []).append(error_class.code)
    return {
        status: OpenApiResponse(response=ErrorEnvelopeSerializer, description=", ".join(codes))
        for status, codes in by_status.items()
    }


ErrorEnvelopeSerializer = inline_serializer(
    name="ErrorEnvelope",
    fields={
        "success": serializers.BooleanField(default=False),
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
            },
        ),
        "timestamp": serializers.DateTimeField(),
    },
)


def drop_slash_aliases(endpoints, **kwargs):
    """``/api/v1/x`` and ``/api/v1/x/`` are one operation; document the seed's spelling only."""
    return [
        (path, regex, method, callback)
        for path, regex, method, callback in endpoints
        if not (path.startswith("/api/v1/") and path.endswith("/"))
    ]


def postprocess_envelopes(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorEnvelope"] = ERROR_ENVELOPE
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, response in responses.items():
                content = response.get("content", {}).get("application/json")
                if content is None:
                    continue
                if status.startswith("2") and path.startswith("/api/v1/"):
                    content["schema"] = {
                        "type": "object",
                        "required": ["success", "data", "message", "timestamp"],
                        "properties": {
                            "success": {"type": "boolean", "enum": [True]},
                            "data": content.get("schema", {}),
                            "message": {"type": "string"},
                            "timestamp": {"type": "string", "format": "date-time"},
                        },
                    }
                elif not status.startswith("2"):
                    content["schema"] = error_ref
            secured = any(requirement for requirement in operation.get("security") or [])
            for status, codes in COMMON_ERRORS.items():
                if status in ("401", "403") and not secured:
                    continue
                if status not in responses:
                    responses[status] = {
                        "description": codes,
                        "content": {"application/json": {"schema": error_ref}},
                    }
    return result
