"""Call use cases: start, end, and closing calls left open."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from calls import conf
from calls.errors import CallAlreadyEnded, CallNotFound, MatchNotFound
from calls.events import send_call_ended_on_commit
from calls.ice import ice_servers_for
from calls.models import CallSession, EndReason
from matching.selectors import match_get_matched_for_participant, match_partner


@dataclass(frozen=True)
class CallStarted:
    call_id: int
    call_session_id: uuid.UUID
    ice_servers: list[dict]


def call_start(*, user, match_id: int) -> CallStarted:
    """Opens the call of a ``matched`` match ``user`` is in, or returns the one already open.

    Both participants may start at the same instant: the one-call-per-match constraint makes the
    second insert fail and ``get_or_create`` then reads the winner's row, so both get one session.
    Fresh ICE credentials are issued on every call. Raises MatchNotFound, CallAlreadyEnded.
    """
    match = match_get_matched_for_participant(user=user, match_id=match_id)
    if match is None:
        raise MatchNotFound()
    call, _ = CallSession.objects.get_or_create(
        match=match, defaults={"caller": user, "callee": match_partner(match=match, user=user)}
    )
    if call.ended_at is not None:
        raise CallAlreadyEnded()
    return CallStarted(
        call_id=call.pk, call_session_id=call.session_id, ice_servers=ice_servers_for(user_public_id=user.public_id)
    )


def _close(call: CallSession, *, now: datetime, reason: str, ended_by=None) -> None:
    """Records the end of a locked, open call and queues ``call.ended``."""
    call.ended_at = now
    call.duration_seconds = max(0, int((now - call.started_at).total_seconds()))
    call.end_reason = reason
    call.ended_by = ended_by
    call.save(update_fields=["ended_at", "duration_seconds", "end_reason", "ended_by"])
    if ended_by is None:
        notify = [call.caller, call.callee]
    else:
        notify = [call.callee if ended_by == call.caller else call.caller]
    send_call_ended_on_commit(call, notify=notify)


@transaction.atomic
def call_end(*, user, call_session_id: uuid.UUID) -> CallSession:
    """Ends a call ``user`` is in. Idempotent: an ended call is returned as it is, nothing is sent again.

    Locks the call row, so a concurrent end (by the peer or the sweep) records one end only.
    Raises CallNotFound (also for a call of other people).
    """
    # NO KEY UPDATE: rating inserts referencing the call (FOR KEY SHARE) are not blocked by it.
    call = (
        CallSession.objects.select_for_update(no_key=True, of=("self",))
        .select_related("caller", "callee")
        .filter(Q(caller=user) | Q(callee=user), session_id=call_session_id)
        .first()
    )
    if call is None:
        raise CallNotFound()
    if call.ended_at is None:
        _close(call, now=timezone.now(), reason=EndReason.HANGUP, ended_by=user)
    return call


def call_close_expired(*, batch_size: int = 200) -> int:
    """Closes calls still open ``CALL_MAX_DURATION_SECONDS`` after they started; returns how many.

    Safe to run twice and concurrently: each batch skips rows another run has locked, and a call
    ended meanwhile no longer matches the filter once its lock is taken.
    """
    closed = 0
    while True:
        with transaction.atomic():
            now = timezone.now()
            deadline = now - timedelta(seconds=conf.max_duration_seconds())
            batch = list(
                CallSession.objects.select_for_update(no_key=True, of=("self",), skip_locked=True)
                .select_related("caller", "callee")
                .filter(ended_at__isnull=True, started_at__lte=deadline)
                .order_by("pk")[:batch_size]
            )
            for call in batch:
                _close(call, now=now, reason=EndReason.TIMEOUT)
        closed += len(batch)
        if len(batch) < batch_size:
            return closed
