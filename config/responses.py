from datetime import UTC, datetime

from django.utils import timezone
from rest_framework.response import Response


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC with a ``Z``, as the contract writes timestamps."""
    moment = moment or timezone.now()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_datetime(moment: datetime | None) -> str | None:
    """A datetime as DRF's ``DateTimeField`` writes it here (ISO 8601 in UTC, ``Z``, microseconds
    kept), for hot lists that build plain dicts instead of running a serializer per row."""
    if moment is None:
        return None
    # Rows come back in UTC already; converting is for the rest.
    text = (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def v1_response(data, *, message=None, status: int = 200) -> Response:
    """A ``/api/v1`` success response; the renderer wraps ``data`` in the envelope."""
    response = Response(data, status=status)
    if message is not None:
        response.envelope_message = message
    return response


def is_v1_path(path: str) -> bool:
    return path.startswith("/api/v1/") or path == "/api/v1"
