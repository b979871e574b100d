"""Call settings, read here so ``config/settings.py`` stays untouched. All optional.

- ``CALL_STUN_URLS``: STUN server URLs given to clients (default: Google's public STUN server).
- ``CALL_TURN_URLS``: TURN server URLs (``turn:host:3478?transport=udp``, ``turns:host:5349``); none by default.
- ``CALL_TURN_SECRET``: the shared secret of coturn's ``use-auth-secret`` / ``static-auth-secret``. When set,
  each start hands out time-limited credentials (TURN REST API convention).
- ``CALL_TURN_USERNAME`` / ``CALL_TURN_PASSWORD``: fixed TURN credentials, used only without a secret.
- ``CALL_TURN_CREDENTIAL_TTL_SECONDS``: lifetime of the time-limited credentials (default 24 h; it must
  outlast a call, since the TURN allocation is refreshed with them).
- ``CALL_MAX_DURATION_SECONDS``: a call still open this long after it started is closed by the periodic job
  (default 2 h).
"""

from django.conf import settings


def stun_urls() -> list[str]:
    return list(getattr(settings, "CALL_STUN_URLS", ["stun:stun.l.google.com:19302"]))


def turn_urls() -> list[str]:
    return list(getattr(settings, "CALL_TURN_URLS", []))


def turn_secret() -> str:
    return getattr(settings, "CALL_TURN_SECRET", "")


def turn_static_credentials() -> tuple[str, str]:
    return getattr(settings, "CALL_TURN_USERNAME", ""), getattr(settings, "CALL_TURN_PASSWORD", "")


def turn_credential_ttl_seconds() -> int:
    return int(getattr(settings, "CALL_TURN_CREDENTIAL_TTL_SECONDS", 24 * 3600))


def max_duration_seconds() -> int:
    return int(getattr(settings, "CALL_MAX_DURATION_SECONDS", 2 * 3600))
