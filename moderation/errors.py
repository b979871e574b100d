from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class CannotReportSelf(ApiError):
    status_code = 400
    code = "CANNOT_REPORT_SELF"
    default_message = _("You cannot report yourself.")


class ReportNotAllowed(ApiError):
    """The reporter has never shared a chat room or a call with that user (or no such user exists)."""

    status_code = 403
    code = "REPORT_NOT_ALLOWED"
    default_message = _("You can only report someone you have shared a chat room or a call with.")


class MessageNotFound(ApiError):
    status_code = 404
    code = "MESSAGE_NOT_FOUND"
    default_message = _("The message was not found in any chat room you are in.")


class MessageNotFromReportedUser(ApiError):
    status_code = 400
    code = "MESSAGE_NOT_FROM_REPORTED_USER"
    default_message = _("The message was not sent by the reported user.")


class AlreadyReported(ApiError):
    status_code = 409
    code = "ALREADY_REPORTED"
    default_message = _("You have already reported this.")


class AlreadyResolved(ApiError):
    status_code = 400
    code = "ALREADY_RESOLVED"
    default_message = _("This report has already been resolved.")


class ReportNotFound(ApiError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = _("The report was not found.")
