"""One exception handler for every error the API can produce, rendered as the contract's envelope."""

import logging

from django.core.exceptions import (
    PermissionDenied as DjangoPermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError as DjangoValidationError,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from config import errors
from config.responses import utc_timestamp

logger = logging.getLogger(__name__)


def error_body(error: errors.ApiError) -> dict:
    body = {
        "success": False,
        "error": {"code": error.code, "message": str(error.message), "details": error.details},
        "timestamp": utc_timestamp(),
    }
    if error.data is not None:
        body["data"] = error.data
    return body


def _validation_details(detail) -> dict:
    if isinstance(detail, dict):
        return {field: _as_message_list(messages) for field, messages in detail.items()}
    return {"non_field_errors": _as_message_list(detail)}


def _as_message_list(messages) -> list:
    if isinstance(messages, dict):
        # Nested serializer errors: flatten one level as "child: message".
        return [f"{key}: {message}" for key, value in messages.items() for message in _as_message_list(value)]
    if isinstance(messages, (list, tuple)):
        flat = []
        for item in messages:
            flat.extend(_as_message_list(item) if isinstance(item, (list, tuple, dict)) else [_(str(item))])
        return flat
    # Through gettext again: a few DRF messages are hard-coded English ("No data provided").
    return [_(str(messages))]


class SanctionedAccount(drf.PermissionDenied):
    """Carries a sanction error through DRF's authentication step, which only lets APIExceptions out."""

    def __init__(self, error: errors.ApiError):
        self.api_error = error
        super().__init__(detail=str(error.message))


def to_api_error(exc: Exception) -> errors.ApiError | None:
    """Maps any exception a request can raise to the catalogue; ``None`` for unexpected ones."""
    if isinstance(exc, errors.ApiError):
        return exc
    if isinstance(exc, SanctionedAccount):
        return exc.api_error
    if isinstance(exc, drf.ValidationError):
        return errors.ValidationFailed(details=_validation_details(exc.detail))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return errors.ValidationFailed(details=_validation_details(detail))
    if isinstance(exc, drf.ParseError):
        return errors.MalformedRequest(details={"body": [str(exc.detail)]})
    if isinstance(exc, drf.NotAuthenticated):
        return errors.Unauthorized()
    if isinstance(exc, drf.AuthenticationFailed):
        return errors.TokenInvalid()
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return errors.Forbidden()
    if isinstance(exc, (drf.NotFound, Http404)):
        return errors.NotFound()
    if isinstance(exc, drf.MethodNotAllowed):
        return errors.MethodNotAllowed()
    if isinstance(exc, drf.NotAcceptable):
        return errors.NotAcceptable()
    if isinstance(exc, drf.UnsupportedMediaType):
        return errors.UnsupportedMediaType()
    if isinstance(exc, drf.Throttled):
        return errors.RateLimitExceeded(retry_after=int(exc.wait or 1))
    if isinstance(exc, (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent)):
        return errors.PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return errors.MalformedRequest()
    if isinstance(exc, drf.APIException):
        error = errors.ApiError(message=str(exc.detail))
        error.status_code = exc.status_code
        error.code = str(exc.default_code).upper()
        return error
    return None


def api_exception_handler(exc: Exception, context: dict) -> Response:
    error = to_api_error(exc)
    if error is None:
        view = context.get("view")
        logger.exception("Unhandled error in %s", type(view).__name__ if view else "view")
        error = errors.InternalError()
    response = Response(error_body(error), status=error.status_code)
    if isinstance(error, errors.RateLimitExceeded):
        response["Retry-After"] = str(error.retry_after)
    if error.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def json_error_response(error: errors.ApiError) -> JsonResponse:
    return JsonResponse(error_body(error), status=error.status_code, json_dumps_params={"ensure_ascii": False})


def handler404(request, exception=None):
    return json_error_response(errors.NotFound())


def handler500(request):
    return json_error_response(errors.InternalError())


def handler400(request, exception=None):
    return json_error_response(errors.MalformedRequest())


def handler403(request, exception=None):
    return json_error_response(errors.Forbidden(_("You do not have permission.")))
