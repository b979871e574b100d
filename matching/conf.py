"""Settings of the matching app, read at call time so tests can override them."""

from datetime import timedelta

from django.conf import settings


def show_time_sec() -> int:
    """Seconds both participants have to decide on a pending match (MATCH_SHOW_TIME_SEC)."""
    return int(getattr(settings, "MATCH_SHOW_TIME_SEC", 10))


def filter_gem_cost() -> int:
    """Gems a filtered match costs each side that filtered, charged when it becomes matched."""
    return int(getattr(settings, "MATCH_FILTER_GEM_COST", 5))


def repeat_cooldown() -> timedelta:
    """How long a pair where either side rejected the other is not offered again."""
    return getattr(settings, "MATCH_REPEAT_COOLDOWN", timedelta(hours=24))


def queue_heartbeat_timeout() -> timedelta:
    """A queued user who has not called ``GET /api/match/random/`` for this long has left."""
    return timedelta(seconds=int(getattr(settings, "MATCH_QUEUE_HEARTBEAT_TIMEOUT_SEC", 120)))


def location_decimals() -> int:
    """Stored coordinates are rounded to this many decimals (2 ≈ 1.1 km)."""
    return int(getattr(settings, "MATCH_LOCATION_DECIMALS", 2))


def pairing_attempts() -> int:
    """Pairing retries after losing a race for a candidate to another request."""
    return int(getattr(settings, "MATCH_PAIRING_ATTEMPTS", 3))


def expiry_batch_size() -> int:
    return int(getattr(settings, "MATCH_EXPIRY_BATCH_SIZE", 200))
