from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class MatchNotFound(ApiError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = _("The match was not found.")


class AlreadyDecided(ApiError):
    status_code = 409
    code = "ALREADY_DECIDED"
    default_message = _("You have already decided on this match.")


class LocationRequired(ApiError):
    status_code = 400
    code = "LOCATION_REQUIRED"
    default_message = _("A location is required to match within a radius. Send lat and lng.")


class ProfileIncomplete(ApiError):
    status_code = 400
    code = "PROFILE_INCOMPLETE"
    default_message = _("Random matching needs your age and gender.")
