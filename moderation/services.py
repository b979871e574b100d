"""Moderation use cases: filing reports, resolving them, and sanctioning users with an audit trail."""

import uuid
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services as account_services
from calls import selectors as call_selectors
from chat import selectors as chat_selectors
from config.responses import utc_timestamp
from matching import services as matching_services
from moderation import events
from moderation.conf import suspension_length
from moderation.errors import (
    AlreadyReported,
    AlreadyResolved,
    CannotReportSelf,
    MessageNotFound,
    MessageNotFromReportedUser,
    ReportNotAllowed,
    ReportNotFound,
)
from moderation.models import ModerationAction, ModerationActionType, Report, ReportStatus
from pools import services as pool_services

User = get_user_model()

SANCTIONS = (
    ModerationActionType.WARN,
    ModerationActionType.SUSPEND,
    ModerationActionType.BAN,
    ModerationActionType.UNSUSPEND,
)


def _message_evidence(*, reporter, reported_user, message_id: uuid.UUID) -> dict:
    """A snapshot of the message, taken now so it survives later edits or deletions in chat."""
    found = chat_selectors.message_evidence(reporter=reporter, message_id=message_id)
    if found is None:
        raise MessageNotFound(details={"message_id": [str(message_id)]})
    if str(found["sender_user_id"]) != str(reported_user.public_id):
        raise MessageNotFromReportedUser(details={"message_id": [str(message_id)]})
    created_at = found["created_at"]
    return {
        "message_id": str(found["message_id"]),
        "content": found["content"],
        "message_type": found["message_type"],
        "sender_user_id": str(found["sender_user_id"]),
        "room_id": str(found["room_id"]),
        "created_at": utc_timestamp(created_at) if isinstance(created_at, datetime) else created_at,
    }


def _message_sender_id(*, reporter, message_id: uuid.UUID | None) -> uuid.UUID:
    found = chat_selectors.message_evidence(reporter=reporter, message_id=message_id) if message_id else None
    if found is None or found["sender_user_id"] is None:
        raise MessageNotFound(details={"message_id": [str(message_id)]})
    return uuid.UUID(str(found["sender_user_id"]))


def report_create(
    *,
    reporter,
    reported_user_id: uuid.UUID | None,
    report_type: str,
    reason: str,
    details: str = "",
    message_id: uuid.UUID | None = None,
) -> Report:
    """Files a report and blocks the pair from random matching, in one transaction.

    ``reported_user_id`` may be omitted for a message report (the message's sender is reported).
    The reporter must share (or have shared) a chat room or a call with the reported user; a
    reported message must be one the reporter can see and must come from the reported user,
    and its content is copied into ``evidence``.

    Raises CannotReportSelf, ReportNotAllowed (also for an unknown user, so ids cannot be probed),
    MessageNotFound, MessageNotFromReportedUser, AlreadyReported.
    """
    if reported_user_id is None:
        # Blind rooms hide the other group's ids, so a message report may name only the message;
        # its sender is the reported user.
        reported_user_id = _message_sender_id(reporter=reporter, message_id=message_id)
    if reported_user_id == reporter.public_id:
        raise CannotReportSelf()
    reported_user = User.objects.filter(public_id=reported_user_id).first()
    if reported_user is None:
        raise ReportNotAllowed()
    evidence = None
    if message_id is not None:
        # A visible message from the reported user is itself proof that the two shared a room.
        evidence = _message_evidence(reporter=reporter, reported_user=reported_user, message_id=message_id)
    elif not (
        chat_selectors.users_share_room(user=reporter, other=reported_user)
        or call_selectors.users_shared_call(user=reporter, other=reported_user)
    ):
        raise ReportNotAllowed()
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter,
                    reported_user=reported_user,
                    report_type=report_type,
                    reason=reason,
                    details=details,
                    message_id=message_id,
                    evidence=evidence,
                )
        except IntegrityError:
            raise AlreadyReported() from None
        matching_services.match_block_pair(user=reporter, other=reported_user)
    return report


def _apply_sanction(*, actor, user, action: str, note: str, report: Report | None) -> ModerationAction:
    """Applies one sanction and writes its audit row. Runs inside the caller's transaction."""
    now = timezone.now()
    until = None
    if action == ModerationActionType.WARN:
        warning_count = account_services.user_warn(user=user)
        events.send_warned(user=user, warning_count=warning_count, warned_at=now)
    elif action == ModerationActionType.SUSPEND:
        until = now + suspension_length()
        # The event is queued before the sockets are closed, so it reaches them first.
        events.send_account_suspended(user=user, until=until, banned=False)
        account_services.user_suspend(user=user, until=until)
    elif action == ModerationActionType.BAN:
        events.send_account_suspended(user=user, until=None, banned=True)
        account_services.user_ban(user=user)
    elif action == ModerationActionType.UNSUSPEND:
        account_services.user_unsuspend(user=user)
    if action in (ModerationActionType.SUSPEND, ModerationActionType.BAN):
        matching_services.match_queue_leave(user=user)
        pool_services.pool_cancel_for_user(user=user)
    return ModerationAction.objects.create(
        actor=actor, target_user=user, action=action, report=report, note=note, suspended_until=until
    )


@transaction.atomic
def user_sanction(*, actor, user, action: str, note: str = "") -> ModerationAction:
    """Warns, suspends, bans or unsuspends ``user`` directly (the Django admin's user page).

    ``warn``: warning count +1 and a ``moderation.warned`` event. ``suspend`` (for
    ``SUSPENSION_DAYS``) and ``ban``: refused from the next request on, refresh tokens
    blacklisted, sockets closed, off the match queue, waiting pool cancelled, and an
    ``account.suspended`` event. ``unsuspend`` lifts a suspension. Every call writes an audit row.
    """
    if action not in SANCTIONS:
        raise ValueError(f"Unknown sanction {action!r}")
    return _apply_sanction(actor=actor, user=user, action=action, note=note, report=None)


@transaction.atomic
def report_resolve(*, actor, report_id: uuid.UUID, action: str, note: str = "") -> Report:
    """Resolves a pending report with ``dismiss``/``warn``/``suspend``/``ban`` (see ``user_sanction``).

    The report row is locked first, so of two moderators resolving it at the same instant one
    applies the action and the other gets ALREADY_RESOLVED. Raises ReportNotFound, AlreadyResolved.
    """
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("reported_user")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise ReportNotFound()
    if report.status != ReportStatus.PENDING:
        raise AlreadyResolved()
    now = timezone.now()
    report.status = ReportStatus.RESOLVED
    report.action_taken = action
    report.resolution_note = note
    report.resolved_by = actor
    report.resolved_at = now
    report.save(update_fields=["status", "action_taken", "resolution_note", "resolved_by", "resolved_at"])
    _apply_sanction(actor=actor, user=report.reported_user, action=action, note=note, report=report)
    return report

