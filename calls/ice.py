"""The ICE servers a client gets with its call: STUN, and TURN with time-limited credentials.

TURN REST API convention (draft-uberti-behave-turn-rest-00, coturn ``use-auth-secret``): the
username is ``<expiry unix time>:<user id>`` and the password is
``base64(HMAC-SHA1(shared secret, username))``. The TURN server recomputes it from the shared
secret and refuses it after the expiry, so nothing per-user is stored anywhere.
"""

import base64
import hashlib
import hmac
import time

from calls import conf


def turn_rest_credentials(*, secret: str, user_id: str, ttl_seconds: int, now: float | None = None) -> dict:
    expiry = int(now if now is not None else time.time()) + ttl_seconds
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode("ascii")}


def ice_servers_for(*, user_public_id) -> list[dict]:
    """``RTCIceServer`` dicts (``urls``, and ``username``/``credential`` for TURN)."""
    servers: list[dict] = []
    stun = conf.stun_urls()
    if stun:
        servers.append({"urls": stun})
    turn = conf.turn_urls()
    if turn:
        secret = conf.turn_secret()
        if secret:
            credentials = turn_rest_credentials(
                secret=secret, user_id=str(user_public_id), ttl_seconds=conf.turn_credential_ttl_seconds()
            )
        else:
            username, password = conf.turn_static_credentials()
            credentials = {"username": username, "credential": password} if username else {}
        servers.append({"urls": turn, **credentials})
    return servers
