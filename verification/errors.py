from django.utils.translation import gettext_lazy as _

from config.errors import ApiError, NotFound, PayloadTooLarge, ValidationFailed


class AlreadySubmitted(ApiError):
    status_code = 400
    code = "ALREADY_SUBMITTED"
    default_message = _("A verification request is already in progress")


class InvalidDocument(ApiError):
    status_code = 400
    code = "INVALID_DOCUMENT"
    default_message = _("Invalid document format")


class AlreadyReviewed(ApiError):
    status_code = 400
    code = "ALREADY_REVIEWED"
    default_message = _("This verification request has already been reviewed.")


class TooManyFiles(ValidationFailed):
    default_message = _("You can upload at most 5 files at a time.")


class NoFiles(ValidationFailed):
    default_message = _("Attach at least one file.")


class DocumentTooLarge(PayloadTooLarge):
    default_message = _("Each file can be at most 10 MB.")


class UploadTooLarge(PayloadTooLarge):
    default_message = _("The upload is too large: at most 5 files of 10 MB each.")


class VerificationNotFound(NotFound):
    default_message = _("No verification request was found.")


class DocumentNotFound(NotFound):
    default_message = _("The document was not found.")
