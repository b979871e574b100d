import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class EndReason(models.TextChoices):
    HANGUP = "hangup", "hangup"
    TIMEOUT = "timeout", "timeout"


class CallSession(models.Model):
    """One call between the two participants of a ``matched`` match.

    ``id`` is the ``call_id`` of history and ratings; ``session_id`` is the ``call_session_id``
    clients use for signaling. A match has at most one call (the database says so), so starting
    is idempotent even when both participants start at the same instant. ``caller`` is the
    participant whose start created the call; they send the WebRTC offer.
    """

    session_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match = models.OneToOneField("matching.Match", on_delete=models.CASCADE, related_name="call")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calls_made")
    callee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calls_received")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=7, choices=EndReason.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(caller=F("callee")), name="calls_session_distinct_participants"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, duration_seconds__isnull=True, end_reason="")
                | Q(
                    ended_at__isnull=False,
                    ended_at__gte=F("started_at"),
                    duration_seconds__isnull=False,
                    end_reason__in=["hangup", "timeout"],
                ),
                name="calls_session_end_recorded_whole",
            ),
        ]
        indexes = [
            # History: a user's calls, newest first, from either side.
            models.Index(F("caller"), F("started_at").desc(), name="calls_session_caller_recent"),
            models.Index(F("callee"), F("started_at").desc(), name="calls_session_callee_recent"),
            # The sweep of calls left open.
            models.Index(fields=["started_at"], condition=Q(ended_at__isnull=True), name="calls_session_open_started"),
        ]

    def __str__(self) -> str:
        return f"call {self.pk} ({'ended' if self.ended_at else 'open'})"
