"""The response and error envelopes, languages, limits and headers every endpoint relies on."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from config.testing import access_token_for

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PROBE_LIMITS = {"probe": "3/m"}

pytestmark = [pytest.mark.urls("config.tests.probe_urls")]


@pytest.fixture(autouse=True)
def _probe_rate(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **PROBE_LIMITS}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    assert TIMESTAMP.match(body["timestamp"])
    return body


def test_api_paths_answer_bare_bodies(api_client):
    response = api_client.get("/api/probe/")
    assert response.status_code == 200
    assert response.json() == {"hello": "world"}


@pytest.mark.parametrize("path", ["/api/v1/probe", "/api/v1/probe/"])
def test_v1_paths_wrap_the_body_in_the_envelope_with_and_without_slash(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"success", "data", "message", "timestamp"}
    assert body["success"] is True
    assert body["data"] == {"hello": "world"}
    assert body["message"] == "probe ok"
    assert TIMESTAMP.match(body["timestamp"])


def test_validation_errors_name_each_field(api_client):
    response = api_client.post("/api/probe/", {"count": "many", "kind": "zzz"}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(body["error"]["details"]) == {"count", "kind"}
    assert all(isinstance(messages, list) for messages in body["error"]["details"].values())


def test_missing_fields_and_out_of_range_values_are_validation_errors(api_client):
    assert_error(api_client.post("/api/probe/", {}, format="json"), 400, "VALIDATION_ERROR")
    assert_error(api_client.post("/api/probe/", {"count": 11, "kind": "a"}, format="json"), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("payload", ['{"count": 1,', "[1, 2", "\x00\x01", '"just a string"'])
def test_malformed_json_is_a_400_with_a_code(api_client, payload):
    response = api_client.post("/api/probe/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"MALFORMED_REQUEST", "VALIDATION_ERROR"}


def test_unsupported_media_type(api_client):
    response = api_client.post("/api/probe/", "count=1", content_type="text/plain")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_method_not_allowed(api_client):
    assert_error(api_client.delete("/api/probe/"), 405, "METHOD_NOT_ALLOWED")


def test_unknown_path_is_a_json_404(api_client):
    assert_error(api_client.get("/api/nothing-here/"), 404, "NOT_FOUND")


def test_missing_token_is_unauthorized(api_client):
    response = api_client.get("/api/probe/protected/")
    assert_error(response, 401, "UNAUTHORIZED")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not.a.token", "Bearer ", "Token abc", "Bearer a b"])
def test_bad_tokens_are_refused(api_client, header, db):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/probe/protected/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"TOKEN_INVALID", "UNAUTHORIZED"}


def test_expired_token_is_refused(api_client, user):
    token = access_token_for(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/api/probe/protected/").status_code == 200
    with time_machine.travel(timedelta(minutes=16), tick=False):
        assert_error(api_client.get("/api/probe/protected/"), 401, "TOKEN_INVALID")


def test_unexpected_exceptions_are_an_internal_error_without_internals(api_client):
    response = api_client.get("/api/probe/boom/")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "SELECT" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["error"]["details"] == {}


def test_domain_errors_carry_their_details(api_client):
    body = assert_error(api_client.get("/api/probe/error/"), 403, "ACCOUNT_SUSPENDED")
    assert body["error"]["details"] == {"until": "2030-01-01T00:00:00Z"}


def test_messages_are_korean_by_default_and_english_on_request(api_client):
    korean = api_client.get("/api/probe/protected/").json()["error"]["message"]
    english = api_client.get("/api/probe/protected/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert korean == "인증 필요"
    assert english == "Authentication is required."


def test_field_messages_follow_the_language(api_client):
    korean = api_client.post("/api/probe/", {}, format="json").json()["error"]["details"]["count"][0]
    english = api_client.post("/api/probe/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["error"]["details"]["count"][0] == "This field is required."
    assert korean != "This field is required."


@override_settings(MAX_REQUEST_BODY_BYTES=1024)
def test_oversized_bodies_are_refused_with_413(api_client):
    response = api_client.post("/api/probe/", {"count": 1, "kind": "a", "pad": "x" * 4096}, format="json")
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_rate_limited_responses_carry_headers_then_429(api_client):
    first = api_client.get("/api/probe/")
    assert first["X-RateLimit-Limit"] == "3"
    assert first["X-RateLimit-Remaining"] == "2"
    reset = int(first["X-RateLimit-Reset"])
    api_client.get("/api/probe/")
    third = api_client.get("/api/probe/")
    assert third.status_code == 200 and third["X-RateLimit-Remaining"] == "0"
    refused = api_client.get("/api/probe/")
    body = assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert body["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(refused["Retry-After"]) >= 1
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["X-RateLimit-Reset"]) == reset


def test_the_window_resets(api_client):
    for _ in range(4):
        api_client.get("/api/probe/")
    assert api_client.get("/api/probe/").status_code == 429
    with time_machine.travel(timedelta(minutes=1, seconds=1)):
        assert api_client.get("/api/probe/").status_code == 200


@pytest.mark.redis
def test_rate_limit_counters_live_in_redis_and_are_shared(api_client, settings):
    """A second, independent Redis client (another process's view) sees the same counter."""
    import redis

    api_client.get("/api/probe/")
    api_client.get("/api/probe/")
    other = redis.Redis.from_url(settings.REDIS_URL)
    keys = [key for key in other.scan_iter("*rl:probe:*")]
    assert len(keys) == 1
    assert int(other.get(keys[0])) == 2
    other.set(keys[0], 3)
    assert api_client.get("/api/probe/").status_code == 429


def assert_probe_counter(settings, ident: str, count: int) -> None:
    """Read by a client of its own (another process's view): the window's counter for ``ident``
    holds ``count`` and expires with the window."""
    import redis

    other = redis.Redis.from_url(settings.REDIS_URL)
    [key] = other.scan_iter(f"*rl:probe:{ident}:*")
    assert int(other.get(key)) == count
    assert 0 < other.ttl(key) <= 65


@pytest.mark.redis
def test_concurrent_hits_on_one_redis_counter_count_exactly_and_the_window_expires(settings):
    """The counter is created with its TTL and incremented in one round trip; racing first hits
    must neither lose a count nor leave a counter without expiry."""
    import uuid

    from config.testing import run_together
    from config.throttling import rate_limit_hit

    ident = f"race-{uuid.uuid4().hex}"
    states, errors = run_together([lambda: rate_limit_hit("probe", ident) for _ in range(12)])

    assert errors == [None] * 12
    assert sum(state.allowed for state in states) == 3
    assert sorted(state.remaining for state in states) == [0] * 10 + [1, 2]
    assert_probe_counter(settings, ident, 12)


@pytest.mark.redis
async def test_hits_counted_on_the_loop_share_the_counter_and_race_exactly(settings):
    """A socket's frames (``rate_limit_hit_async``) and REST requests (``rate_limit_hit``) count
    against one counter, created with its TTL; hits racing on the loop lose no count."""
    import asyncio
    import uuid

    from config.throttling import rate_limit_hit, rate_limit_hit_async

    ident = f"loop-{uuid.uuid4().hex}"
    states = await asyncio.gather(*(rate_limit_hit_async("probe", ident) for _ in range(6)))
    refused_over_rest = rate_limit_hit("probe", ident)

    assert sum(state.allowed for state in states) == 3
    assert sorted(state.remaining for state in states) == [0, 0, 0, 0, 1, 2]
    assert not refused_over_rest.allowed
    assert_probe_counter(settings, ident, 7)


@pytest.mark.redis
async def test_the_loop_serves_other_work_while_a_count_waits_for_redis(settings):
    """Redis paused for 300 ms: a count awaited on the loop lets the loop run meanwhile (a
    blocking client would stop every socket of the process for the whole pause)."""
    import asyncio
    import uuid

    import redis

    from config.throttling import rate_limit_hit_async

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    await rate_limit_hit_async("probe", "warm-up")  # the loop's connection is open
    redis.Redis.from_url(settings.REDIS_URL).client_pause(300, all=True)
    ticking = asyncio.create_task(ticker())
    state = await rate_limit_hit_async("probe", f"pause-{uuid.uuid4().hex}")
    ticking.cancel()

    assert state.allowed and state.remaining == 2
    assert ticks >= 10


@pytest.mark.redis
def test_the_loops_redis_connection_closes_with_the_loop(settings):
    import asyncio
    import time
    import uuid

    import redis

    from config import throttling

    async def hit_and_connection_id() -> int:
        await throttling.rate_limit_hit_async("probe", f"close-{uuid.uuid4().hex}")
        return await throttling._loop_count_script().registered_client.client_id()

    def open_ids() -> set[int]:
        return {int(client["id"]) for client in other.client_list()}

    other = redis.Redis.from_url(settings.REDIS_URL)
    loop = asyncio.new_event_loop()
    connection_id = loop.run_until_complete(hit_and_connection_id())
    assert connection_id in open_ids()

    loop.close()

    assert loop not in throttling._loop_count_scripts
    deadline = time.monotonic() + 2
    while connection_id in open_ids() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert connection_id not in open_ids()


def test_health_endpoints(api_client, db):
    assert api_client.get("/healthz").json() == {"status": "ok"}
    ready = api_client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["down"] == []


def test_readyz_names_what_is_down(api_client, db, monkeypatch):
    from config import health

    monkeypatch.setattr(health, "_broker_ok", lambda: False)
    response = api_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_schema_and_docs_are_public(api_client, db):
    assert api_client.get("/api/schema/").status_code == 200
    assert api_client.get("/api/docs/").status_code == 200


@pytest.mark.parametrize("payload", ["[" * 100_000, '{"a":' * 50_000])
def test_deeply_nested_json_is_a_400_not_a_500(api_client, payload):
    response = api_client.post("/api/probe/", payload, content_type="application/json")
    assert_error(response, 400, "MALFORMED_REQUEST")


def test_json_bodies_over_the_memory_limit_are_refused_before_parsing(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api_client.post("/api/probe/", {"count": 1, "kind": "a", "pad": "x" * 2048}, format="json")
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_page_numbers_are_bounded():
    from config.pagination import PageQuerySerializer

    query = PageQuerySerializer(data={"page": "99999999999999999999", "per_page": "101"})
    assert not query.is_valid()
    assert set(query.errors) == {"page", "per_page"}


def test_a_null_body_is_a_validation_error_in_korean(api_client):
    response = api_client.post("/api/probe/", "null", content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"] == {"non_field_errors": ["데이터가 없습니다."]}
