from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class AlreadyRated(ApiError):
    status_code = 409
    code = "ALREADY_RATED"
    default_message = _("You have already rated this call.")
