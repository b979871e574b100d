from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class MatchNotFound(ApiError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = _("No matched match with this id was found for you.")


class CallNotFound(ApiError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = _("The call was not found.")


class CallAlreadyEnded(ApiError):
    status_code = 409
    code = "CALL_ALREADY_ENDED"
    default_message = _("This call has already ended.")

