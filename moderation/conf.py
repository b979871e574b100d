from datetime import timedelta

from django.conf import settings


def suspension_length() -> timedelta:
    """How long ``suspend`` blocks a user (``SUSPENSION_DAYS``, 7 by default), read at call time."""
    return timedelta(days=getattr(settings, "SUSPENSION_DAYS", 7))
