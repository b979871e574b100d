from django.utils.translation import gettext_lazy as _

from config.errors import ApiError, NotFound


class RoomNotFound(NotFound):
    default_message = _("The chat room was not found.")


class MessageNotFound(NotFound):
    default_message = _("The message was not found.")


class AttachmentNotFound(NotFound):
    default_message = _("The attachment was not found.")


class RoomClosed(ApiError):
    status_code = 400
    code = "ROOM_CLOSED"
    default_message = _("This chat room is closed.")


class InvalidAttachment(ApiError):
    status_code = 400
    code = "INVALID_ATTACHMENT"
    default_message = _("The attachments are not valid for this message.")


class InvalidImage(ApiError):
    status_code = 400
    code = "INVALID_IMAGE"
    default_message = _("The image must be a JPEG, PNG or WebP file.")


class ImageTooLarge(ApiError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = _("The image is too large.")
