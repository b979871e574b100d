"""The realtime events of calls, built in one place and sent after commit."""

from calls.models import CallSession
from config import realtime
from config.responses import utc_timestamp


def call_group(session_id) -> str:
    """The channel-layer group of the signaling sockets of one call."""
    return f"call.{session_id}"


def call_ended_data(call: CallSession) -> dict:
    return {
        "call_session_id": str(call.session_id),
        "call_id": call.pk,
        "reason": call.end_reason,
        "ended_by": str(call.ended_by.public_id) if call.ended_by_id else None,
        "duration_seconds": call.duration_seconds,
        "ended_at": utc_timestamp(call.ended_at),
    }


def send_call_ended_on_commit(call: CallSession, *, notify) -> None:
    """``call.ended`` to every signaling socket of the call (which then closes) and to ``/ws/events/``
    of the users in ``notify`` (the peer of whoever ended it; both when the job closed it)."""
    data = call_ended_data(call)
    realtime.group_send_on_commit(call_group(call.session_id), {"type": "call.ended", "data": data})
    realtime.send_user_event_on_commit([user.public_id for user in notify], "call.ended", data)
