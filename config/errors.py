"""The error catalogue shared by every app.

Services raise these (never DRF exceptions); ``config.exceptions.api_exception_handler``
renders them in the contract's error envelope. Each app adds its own codes in its
``errors.py`` by subclassing :class:`ApiError`. Messages are English msgids translated to
Korean in ``locale/ko`` (Korean is the default language).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApiError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    default_message = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, details: dict | None = None, data: Any = None):
        self.message = message if message is not None else self.default_message
        self.details = details or {}
        # Some seed error bodies also carry a ``data`` member (e.g. ``{"pool": null}``).
        self.data = data
        super().__init__(str(self.message))


class ValidationFailed(ApiError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = _("The request contains invalid values.")


class MalformedRequest(ApiError):
    status_code = 400
    code = "MALFORMED_REQUEST"
    default_message = _("The request body could not be parsed.")


class Unauthorized(ApiError):
    status_code = 401
    code = "UNAUTHORIZED"
    default_message = _("Authentication is required.")


class TokenInvalid(ApiError):
    status_code = 401
    code = "TOKEN_INVALID"
    default_message = _("The token is invalid or expired.")


class InvalidCredentials(ApiError):
    status_code = 401
    code = "INVALID_CREDENTIALS"
    default_message = _("The username or password is incorrect.")


class Forbidden(ApiError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = _("You do not have permission.")


class AccountSuspended(ApiError):
    status_code = 403
    code = "ACCOUNT_SUSPENDED"
    default_message = _("This account is suspended.")


class AccountBanned(ApiError):
    status_code = 403
    code = "ACCOUNT_BANNED"
    default_message = _("This account is banned.")


class NotFound(ApiError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = _("The resource was not found.")


class MethodNotAllowed(ApiError):
    status_code = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = _("This method is not allowed.")


class NotAcceptable(ApiError):
    status_code = 406
    code = "NOT_ACCEPTABLE"
    default_message = _("The requested response format is not available.")


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = _("The request body is too large.")


class UnsupportedMediaType(ApiError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = _("The content type is not supported.")


class RateLimitExceeded(ApiError):
    status_code = 429
    code = "RATE_LIMIT_EXCEEDED"
    default_message = _("Too many requests. Try again later.")

    def __init__(self, *args: Any, retry_after: int = 1, **kwargs: Any):
        self.retry_after = max(1, int(retry_after))
        super().__init__(*args, **kwargs)


class InternalError(ApiError):
    status_code = 500
    code = "INTERNAL_ERROR"
    default_message = _("An internal server error occurred.")


class ServiceUnavailable(ApiError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = _("The service is temporarily unavailable.")
