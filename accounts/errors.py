from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class UsernameTaken(ApiError):
    status_code = 409
    code = "USERNAME_TAKEN"
    default_message = _("This username is already taken.")


class InvalidImage(ApiError):
    status_code = 400
    code = "INVALID_IMAGE"
    default_message = _("The image must be a JPEG, PNG or WebP file.")


class ImageTooLarge(ApiError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = _("The image is too large.")
