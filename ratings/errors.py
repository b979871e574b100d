from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class CallNotFound(ApiError):
    status_code = 404
    code = "CALL_NOT_FOUND"
    default_message = _("The call was not found.")


class AlreadyRated(ApiError):
    status_code = 409
    code = "ALREADY_RATED"
    default_message = _("You have already rated this call.")
