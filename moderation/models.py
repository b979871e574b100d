import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

REASON_MAX_LENGTH = 200
DETAILS_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 1000


class ReportType(models.TextChoices):
    MESSAGE = "message", _("message")
    USER = "user", _("user")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RESOLVED = "resolved", _("resolved")


class ResolveAction(models.TextChoices):
    """What a moderator does with a report (seed-group-matching §5.5)."""

    DISMISS = "dismiss", _("dismiss")
    WARN = "warn", _("warn")
    SUSPEND = "suspend", _("suspend")
    BAN = "ban", _("ban")


class ModerationActionType(models.TextChoices):
    """Everything the audit trail records: report resolutions and sanctions on users."""

    DISMISS = "dismiss", _("dismiss")
    WARN = "warn", _("warn")
    SUSPEND = "suspend", _("suspend")
    BAN = "ban", _("ban")
    UNSUSPEND = "unsuspend", _("unsuspend")


class Report(models.Model):
    """A user's report about another user they met in a chat room or a call.

    ``evidence`` is a snapshot of the reported message taken when the report is filed, so it
    survives later edits or deletions in chat. Resolution fields are written by one
    conditional update (``moderation.services.report_resolve``), so a report is resolved once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports_filed"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports_received"
    )
    report_type = models.CharField(max_length=10, choices=ReportType.choices)
    reason = models.CharField(max_length=REASON_MAX_LENGTH)
    details = models.TextField(max_length=DETAILS_MAX_LENGTH, blank=True)
    message_id = models.UUIDField(null=True, blank=True)
    evidence = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    action_taken = models.CharField(max_length=10, choices=ResolveAction.choices, blank=True)
    resolution_note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("resolve_report", "Can resolve reports (dismiss, warn, suspend, ban)")]
        indexes = [
            models.Index(fields=["status", "created_at"], name="moderation_report_queue_idx"),
            models.Index(fields=["reported_user", "created_at"], name="moderation_report_target_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reporter=F("reported_user")), name="moderation_report_not_self"),
            models.CheckConstraint(
                condition=Q(report_type__in=ReportType.values), name="moderation_report_type_valid"
            ),
            models.CheckConstraint(
                condition=~Q(report_type=ReportType.MESSAGE)
                | (Q(message_id__isnull=False) & Q(evidence__isnull=False)),
                name="moderation_report_message_has_evidence",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ReportStatus.PENDING)
                    & Q(action_taken="")
                    & Q(resolved_at__isnull=True)
                    & Q(resolved_by__isnull=True)
                )
                | (
                    Q(status=ReportStatus.RESOLVED)
                    & Q(action_taken__in=ResolveAction.values)
                    & Q(resolved_at__isnull=False)
                    & Q(resolved_by__isnull=False)
                ),
                name="moderation_report_resolution_consistent",
            ),
            # One report per message per reporter, and one open user report per pair: a
            # reporter cannot flood the queue about the same thing.
            models.UniqueConstraint(
                fields=["reporter", "message_id"],
                condition=Q(message_id__isnull=False),
                name="moderation_report_once_per_message",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reported_user"],
                condition=Q(status=ReportStatus.PENDING, report_type=ReportType.USER),
                name="moderation_report_one_pending_user_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_report_type_display()} report {self.id}"


class ModerationAction(models.Model):
    """The audit trail: who resolved which report or sanctioned which user, and when.

    Append-only: rows are written by ``moderation.services`` and never changed. A ``warn`` row
    is the user's warning record; ``suspended_until`` is set on ``suspend`` rows.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    action = models.CharField(max_length=10, choices=ModerationActionType.choices)
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("sanction_user", "Can warn, suspend, ban and unsuspend users"),
            ("adjust_gems", "Can adjust a user's gem balance through the ledger"),
        ]
        indexes = [models.Index(fields=["target_user", "-created_at"], name="moderation_action_target_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ModerationActionType.values), name="moderation_action_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(action=ModerationActionType.SUSPEND, suspended_until__isnull=False)
                | (~Q(action=ModerationActionType.SUSPEND) & Q(suspended_until__isnull=True)),
                name="moderation_action_suspend_has_until",
            ),
            # A report gets exactly one resolution row.
            models.UniqueConstraint(
                fields=["report"], condition=Q(report__isnull=False), name="moderation_action_once_per_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_user_id} by {self.actor_id}"
