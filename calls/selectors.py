"""Reads of the calls app, for its own consumers and for other apps."""

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from calls.models import CallSession


def _participant(user) -> Q:
    return Q(caller=user) | Q(callee=user)


@dataclass(frozen=True)
class CallSocketAccess:
    """What the signaling socket needs to know about its call and the connecting participant."""

    call_id: int
    session_id: uuid.UUID
    is_open: bool
    is_caller: bool


def call_socket_access(*, user, session_id: uuid.UUID) -> CallSocketAccess | None:
    """The call ``session_id`` names, if ``user`` is one of its two participants; else ``None``."""
    call = (
        CallSession.objects.filter(_participant(user), session_id=session_id)
        .only("id", "session_id", "caller_id", "ended_at")
        .first()
    )
    if call is None:
        return None
    return CallSocketAccess(
        call_id=call.pk, session_id=call.session_id, is_open=call.ended_at is None, is_caller=call.caller_id == user.pk
    )


def call_is_open(*, call_id: int) -> bool:
    return CallSession.objects.filter(pk=call_id, ended_at__isnull=True).exists()


def call_partner_id(*, user, call_id: int) -> int | None:
    """The pk of the other participant of call ``call_id``, or ``None`` when ``user`` is not in it."""
    row = CallSession.objects.filter(_participant(user), pk=call_id).values_list("caller_id", "callee_id").first()
    if row is None:
        return None
    caller_id, callee_id = row
    return callee_id if caller_id == user.pk else caller_id


def calls_since(*, user, since) -> QuerySet[CallSession]:
    """The user's calls (either side) started at or after ``since``, newest first, unsliced so the
    caller can add its own columns. ``user`` and ``since`` may be ``config.db.Param`` placeholders
    (the history is a prepared query)."""
    return CallSession.objects.filter(_participant(user), started_at__gte=since).order_by("-started_at", "-id")


def users_shared_call(*, user, other) -> bool:
    """Whether ``user`` and ``other`` were ever the two participants of one call (any status)."""
    return CallSession.objects.filter(Q(caller=user, callee=other) | Q(caller=other, callee=user)).exists()
