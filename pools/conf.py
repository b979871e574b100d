"""Settings of the pools app, each overridable in Django settings (never edited here per deployment)."""

from datetime import timedelta

from django.conf import settings

# A pool waits for a partner this long after it is created, then expires.
POOL_LIFETIME: timedelta = getattr(settings, "POOL_LIFETIME", timedelta(days=7))
# Both creators have this long to answer a proposal (never longer than either pool lives).
PROPOSAL_LIFETIME: timedelta = getattr(settings, "PROPOSAL_LIFETIME", timedelta(hours=24))
MESSAGE_MAX_CHARS: int = getattr(settings, "POOL_MESSAGE_MAX_CHARS", 200)
MIN_MEMBERS: int = 2
MAX_MEMBERS: int = 8
# Pairs written per transaction by a pairing run; each batch locks only its own pools.
PAIRING_BATCH_SIZE: int = getattr(settings, "POOL_PAIRING_BATCH_SIZE", 1000)
# Rows expired per transaction by the expiry job.
EXPIRY_BATCH_SIZE: int = getattr(settings, "POOL_EXPIRY_BATCH_SIZE", 500)
