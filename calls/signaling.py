"""The shape of the frames a client may send on the call socket.

Only what is checked here is relayed: the relayed frame is rebuilt from the validated fields, so
a client can never push arbitrary keys to its peer. A known key of the wrong type or size, or a
missing required one, is a malformed frame (4400); unknown extra keys (a client's own ``from``,
a newer browser's field) are dropped, not refused.
"""

from typing import Any

from config.errors import MalformedRequest

MAX_SDP_CHARS = 60_000
MAX_CANDIDATE_CHARS = 2_048
MAX_SDP_MID_CHARS = 64
MAX_USERNAME_FRAGMENT_CHARS = 256
MAX_SDP_M_LINE_INDEX = 1_023


def _malformed(field: str, message: str) -> MalformedRequest:
    return MalformedRequest(details={field: [message]})


def _string(value: Any, field: str, *, max_chars: int, allow_empty: bool) -> str:
    if not isinstance(value, str):
        raise _malformed(field, "Must be a string.")
    if not allow_empty and not value:
        raise _malformed(field, "Must not be empty.")
    if len(value) > max_chars:
        raise _malformed(field, f"At most {max_chars} characters.")
    return value


def _session_description(payload: dict) -> dict:
    if "sdp" not in payload:
        raise _malformed("sdp", "This field is required.")
    return {"type": payload["type"], "sdp": _string(payload["sdp"], "sdp", max_chars=MAX_SDP_CHARS, allow_empty=False)}


def _ice_candidate(payload: dict) -> dict:
    candidate = payload.get("candidate")
    if not isinstance(candidate, dict):
        raise _malformed("candidate", "Must be an object (RTCIceCandidateInit).")
    if "candidate" not in candidate:
        raise _malformed("candidate.candidate", "This field is required.")
    # An empty string is the end-of-candidates marker.
    clean: dict[str, Any] = {
        "candidate": _string(
            candidate["candidate"], "candidate.candidate", max_chars=MAX_CANDIDATE_CHARS, allow_empty=True
        )
    }
    for key, max_chars in (("sdpMid", MAX_SDP_MID_CHARS), ("usernameFragment", MAX_USERNAME_FRAGMENT_CHARS)):
        if key in candidate:
            value = candidate[key]
            clean[key] = (
                None if value is None else _string(value, f"candidate.{key}", max_chars=max_chars, allow_empty=True)
            )
    if "sdpMLineIndex" in candidate:
        index = candidate["sdpMLineIndex"]
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_SDP_M_LINE_INDEX
        ):
            raise _malformed("candidate.sdpMLineIndex", f"Must be an integer 0-{MAX_SDP_M_LINE_INDEX} or null.")
        clean["sdpMLineIndex"] = index
    return {"type": "ice_candidate", "candidate": clean}


def _hangup(payload: dict) -> dict:
    return {"type": "hangup"}


_PARSERS = {
    "offer": _session_description,
    "answer": _session_description,
    "ice_candidate": _ice_candidate,
    "hangup": _hangup,
}


def relay_frame(payload: dict) -> dict:
    """The frame to relay for a client ``offer``, ``answer``, ``ice_candidate`` or ``hangup`` frame.

    Only the known fields are kept; raises MalformedRequest (details name the field) when one of
    them is missing or of the wrong type or size.
    """
    return _PARSERS[payload["type"]](payload)
