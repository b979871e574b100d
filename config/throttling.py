"""Fixed-window rate limits kept in the shared cache (Redis in production).

``rate_limit_hit`` is the one primitive: REST throttles and the login-failure counter count
through it, and the chat WebSocket through ``rate_limit_hit_async``, the same counter awaited on
the event loop, so a limit holds across processes and transports.
Every response of a rate-limited endpoint carries ``X-RateLimit-*`` headers.
"""

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass
from functools import cache, partial

import redis
import redis.asyncio
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import AsyncScript
from rest_framework.throttling import BaseThrottle

from config import loops

_RATE = re.compile(r"^(?P<count>\d+)/(?P<multiplier>\d*)(?P<unit>s|m|h|d)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int
    allowed: bool

    @property
    def retry_after(self) -> int:
        return max(1, self.reset - int(time.time()))


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/15m"`` → (10, 900). Units: s, m, h, d (``minute``, ``hour``, ``day`` also read)."""
    match = _RATE.match(rate.strip().lower())
    if not match:
        raise ValueError(f"Bad rate {rate!r}")
    multiplier = int(match["multiplier"] or 1)
    return int(match["count"]), multiplier * _UNIT_SECONDS[match["unit"]]


@cache
def _counters():
    """The cache backend the counters live in: one instance per process.

    ``django.core.cache.cache`` is per thread *and per asyncio context*, so in a Channels process
    every socket that counted a frame got a backend of its own, and with Redis a connection of its
    own, opened inside the event loop (docs/benchmarks.md). Backends are thread-safe.
    """
    return caches.create_connection("default")


def _window(scope: str, ident: str) -> tuple[str, int, int]:
    limit, period = parse_rate(settings.RATE_LIMITS[scope])
    window_start = int(time.time()) // period * period
    return f"rl:{scope}:{ident}:{window_start}", limit, window_start + period


# INCR, and EXPIRE when the window's counter is new, atomically in one command.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _redis_location() -> str:
    location = settings.CACHES["default"]["LOCATION"]
    return location if isinstance(location, str) else location[0]


@cache
def _redis_count_script():
    """The counting script on a redis-py client of this process's own. Django's cache makes a new
    client for every operation (each copying redis-py's ~160-entry response-callback table) and
    counted in three round trips (add, exists, incr): ~290 us of CPU per throttled request, now
    ~60. Keys and values stay the cache's, so ``cache.get`` reads them."""
    return redis.Redis.from_url(_redis_location()).register_script(_COUNT_SCRIPT)


# One per event loop, dropped when the loop closes.
_loop_count_scripts: dict[asyncio.AbstractEventLoop, AsyncScript] = {}


def _loop_count_script() -> AsyncScript:
    """The counting script on an asyncio client of the running loop's own: an asyncio client's
    connections belong to the loop that opened them. The client is closed with its loop
    (``config.loops``), so a loop that ends leaves no connection behind."""
    loop = asyncio.get_running_loop()
    script = _loop_count_scripts.get(loop)
    if script is None:
        client = redis.asyncio.Redis.from_url(_redis_location())
        script = _loop_count_scripts[loop] = client.register_script(_COUNT_SCRIPT)
        loops.close_with_loop(loop, partial(_close_loop_client, loop, client))
    return script


async def _close_loop_client(loop: asyncio.AbstractEventLoop, client: redis.asyncio.Redis) -> None:
    _loop_count_scripts.pop(loop, None)
    # A connection Redis already dropped must not keep the loop open.
    with contextlib.suppress(redis.RedisError, OSError):
        await client.aclose()


def _count(key: str, ttl: int) -> int:
    """Adds one to the window's counter, creating it with ``ttl``, and returns the new count."""
    counters = _counters()
    if isinstance(counters, RedisCache):
        return _redis_count_script()(keys=[counters.make_and_validate_key(key)], args=[ttl])
    counters.add(key, 0, ttl)
    try:
        return counters.incr(key)
    except ValueError:
        # The key expired between add and incr: this event opens the new window.
        counters.set(key, 1, ttl)
        return 1


def _ttl(reset: int) -> int:
    return max(1, reset - int(time.time())) + 5


def _hit_state(limit: int, reset: int, count: int) -> RateLimitState:
    return RateLimitState(limit=limit, remaining=max(0, limit - count), reset=reset, allowed=count <= limit)


def rate_limit_hit(scope: str, ident: str) -> RateLimitState:
    """Counts one event against ``scope`` for ``ident`` and says whether it is within the limit."""
    key, limit, reset = _window(scope, ident)
    return _hit_state(limit, reset, _count(key, _ttl(reset)))


async def rate_limit_hit_async(scope: str, ident: str) -> RateLimitState:
    """``rate_limit_hit`` for code on an event loop (a socket's frames): the same counter, with
    Redis counted on an asyncio client, so the loop serves other sockets during the round trip
    instead of stopping for it. An in-process cache (the embedded mode) does no I/O."""
    counters = _counters()
    if not isinstance(counters, RedisCache):
        return rate_limit_hit(scope, ident)
    key, limit, reset = _window(scope, ident)
    count = await _loop_count_script()(keys=[counters.make_and_validate_key(key)], args=[_ttl(reset)])
    return _hit_state(limit, reset, count)


def rate_limit_peek(scope: str, ident: str) -> RateLimitState:
    """The state without counting anything (for limits that count only failures)."""
    key, limit, reset = _window(scope, ident)
    count = _counters().get(key, 0)
    return RateLimitState(limit=limit, remaining=max(0, limit - count), reset=reset, allowed=count < limit)


def attach_rate_limit_state(request, state: RateLimitState) -> None:
    """Remembers the tightest state seen for this request; the middleware turns it into headers."""
    django_request = getattr(request, "_request", request)
    current = getattr(django_request, "rate_limit_state", None)
    if current is None or state.remaining < current.remaining:
        django_request.rate_limit_state = state


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


class ScopedRateLimit(BaseThrottle):
    """Applies the limit a view names in ``throttle_scope``: a scope name, or ``{method: scope}``."""

    state: RateLimitState | None = None

    def allow_request(self, request, view) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if isinstance(scope, dict):
            scope = scope.get(request.method)
        if not scope:
            return True
        user = request.user
        ident = str(user.public_id) if user and user.is_authenticated else f"ip:{client_ip(request)}"
        self.state = rate_limit_hit(scope, ident)
        attach_rate_limit_state(request, self.state)
        return self.state.allowed

    def wait(self) -> float | None:
        return self.state.retry_after if self.state else None


class RateLimitHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "rate_limit_state", None)
        if state is not None:
            response["X-RateLimit-Limit"] = str(state.limit)
            response["X-RateLimit-Remaining"] = str(state.remaining)
            response["X-RateLimit-Reset"] = str(state.reset)
            if not state.allowed:
                response["Retry-After"] = str(state.retry_after)
        return response
