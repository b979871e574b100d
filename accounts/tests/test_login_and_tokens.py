import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken

from config.testing import DEFAULT_PASSWORD

LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/refresh/"
LOGOUT = "/api/auth/logout/"
PROFILE = "/api/user/profile/"
pytestmark = pytest.mark.django_db


def login(api_client, username, password=DEFAULT_PASSWORD, **extra):
    return api_client.post(LOGIN, {"username": username, "password": password}, format="json", **extra)


def bearer(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")


def test_login_returns_a_working_token_pair(api_client, user):
    response = login(api_client, user.username)
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    bearer(api_client, response.json()["access"])
    assert api_client.get(PROFILE).json()["username"] == user.username


def test_login_ignores_the_case_of_the_username(api_client, user_factory):
    user_factory(username="Mina.Kim")
    for spelling in ("mina.kim", "MINA.KIM", "Mina.Kim"):
        assert login(api_client, spelling).status_code == 200


@pytest.mark.parametrize(("username", "password"), [("user_x", "wrong"), ("nobody", DEFAULT_PASSWORD)])
def test_wrong_credentials(api_client, user_factory, username, password):
    user_factory(username="user_x")
    response = login(api_client, username, password)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert response.json()["error"]["message"] == "아이디 또는 비밀번호가 올바르지 않습니다."


def test_login_validation(api_client):
    response = api_client.post(LOGIN, {"username": ["a"]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"username", "password"}


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"username": 12345, "password": DEFAULT_PASSWORD}, {"username": ["유효한 문자열이 아닙니다."]}),
        ({"username": "12345", "password": 12345678}, {"password": ["유효한 문자열이 아닙니다."]}),
        ({"username": True, "password": DEFAULT_PASSWORD}, {"username": ["유효한 문자열이 아닙니다."]}),
    ],
)
def test_login_takes_only_json_strings(api_client, user_factory, body, details):
    """``{"username": 12345}`` is not the username "12345", even though that user exists."""
    user_factory(username="12345")
    response = api_client.post(LOGIN, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == details
    assert not OutstandingToken.objects.exists()


def test_a_login_as_a_form_still_works(api_client, user_factory):
    user_factory(username="12345")
    response = api_client.post(LOGIN, {"username": "12345", "password": DEFAULT_PASSWORD}, format="multipart")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_ten_failures_lock_the_username_even_for_the_right_password(api_client, user):
    for attempt in range(10):
        response = login(api_client, user.username, "wrong", REMOTE_ADDR=f"10.0.0.{attempt}")
        assert response.status_code == 401
    response = login(api_client, user.username, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(response["Retry-After"]) > 0
    assert response["X-RateLimit-Remaining"] == "0"


def test_ten_failures_from_one_ip_lock_that_ip(api_client, user_factory):
    victim = user_factory()
    for attempt in range(10):
        login(api_client, f"guess_{attempt}", "wrong", REMOTE_ADDR="10.9.9.9")
    assert login(api_client, victim.username, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert login(api_client, victim.username, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_successful_logins_do_not_count(api_client, user):
    for _ in range(12):
        assert login(api_client, user.username).status_code == 200


def test_suspended_user_cannot_log_in(api_client, user):
    user.suspended_until = timezone.now() + timedelta(days=3)
    user.save()
    response = login(api_client, user.username)
    assert response.status_code == 403
    body = response.json()
    assert body["error"]["code"] == "ACCOUNT_SUSPENDED"
    assert body["error"]["details"]["until"].endswith("Z")


def test_banned_user_cannot_log_in(api_client, user):
    user.is_banned = True
    user.save()
    response = login(api_client, user.username)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ACCOUNT_BANNED"


def test_refresh_rotates_and_blacklists_the_old_token(api_client, user):
    pair = login(api_client, user.username).json()
    rotated = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != pair["refresh"]
    reused = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "TOKEN_INVALID"
    again = api_client.post(REFRESH, {"refresh": rotated.json()["refresh"]}, format="json")
    assert again.status_code == 200


@pytest.mark.parametrize("token", ["garbage", "", "a.b.c"])
def test_refresh_with_a_bad_token(api_client, token):
    response = api_client.post(REFRESH, {"refresh": token}, format="json")
    assert response.status_code in (400, 401)
    assert response.json()["error"]["code"] in ("TOKEN_INVALID", "VALIDATION_ERROR")


@pytest.mark.parametrize("url", [REFRESH, LOGOUT])
def test_a_refresh_token_must_be_a_json_string(api_client, user, url):
    login(api_client, user.username)
    api_client.force_authenticate(user)
    response = api_client.post(url, {"refresh": 12345}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == {"refresh": ["유효한 문자열이 아닙니다."]}
    assert not BlacklistedToken.objects.exists()
    assert OutstandingToken.objects.count() == 1


def test_an_access_token_is_not_a_refresh_token(api_client, user):
    pair = login(api_client, user.username).json()
    response = api_client.post(REFRESH, {"refresh": pair["access"]}, format="json")
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


def test_refresh_expires_after_14_days(api_client, user):
    import time_machine

    pair = login(api_client, user.username).json()
    with time_machine.travel(timedelta(days=14, minutes=1)):
        response = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


def test_logout_blacklists_the_refresh_token(api_client, user):
    pair = login(api_client, user.username).json()
    bearer(api_client, pair["access"])
    response = api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"message": "로그아웃되었습니다."}
    api_client.credentials()
    after = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "TOKEN_INVALID"


def test_logout_needs_a_token(api_client, user):
    pair = login(api_client, user.username).json()
    response = api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_logout_cannot_revoke_someone_elses_token(api_client, user_factory):
    mine, theirs = user_factory(), user_factory()
    my_pair = login(api_client, mine.username).json()
    their_pair = login(api_client, theirs.username).json()
    bearer(api_client, my_pair["access"])
    response = api_client.post(LOGOUT, {"refresh": their_pair["refresh"]}, format="json")
    assert response.status_code == 401
    api_client.credentials()
    assert api_client.post(REFRESH, {"refresh": their_pair["refresh"]}, format="json").status_code == 200


def test_a_sanction_bites_on_the_next_request_with_an_old_token(api_client, user):
    pair = login(api_client, user.username).json()
    bearer(api_client, pair["access"])
    assert api_client.get(PROFILE).status_code == 200
    user.suspended_until = timezone.now() + timedelta(days=7)
    user.save()
    assert api_client.get(PROFILE).json()["error"]["code"] == "ACCOUNT_SUSPENDED"
    user.suspended_until = None
    user.is_banned = True
    user.save()
    assert api_client.get(PROFILE).json()["error"]["code"] == "ACCOUNT_BANNED"
    api_client.credentials()
    assert api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 403


def test_an_access_token_already_seen_still_expires_on_time(api_client, user, time_machine):
    time_machine.move_to("2026-11-22T12:00:00Z", tick=False)
    bearer(api_client, login(api_client, user.username).json()["access"])
    assert api_client.get(PROFILE).status_code == 200

    time_machine.move_to("2026-11-22T12:14:30Z", tick=False)
    assert api_client.get(PROFILE).status_code == 200
    time_machine.move_to("2026-11-22T12:15:01Z", tick=False)
    response = api_client.get(PROFILE)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


def test_a_tampered_copy_of_a_token_already_seen_is_refused(api_client, user):
    access = login(api_client, user.username).json()["access"]
    bearer(api_client, access)
    assert api_client.get(PROFILE).status_code == 200
    header, payload, signature = access.split(".")
    forged = ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])

    bearer(api_client, forged)

    assert api_client.get(PROFILE).json()["error"]["code"] == "TOKEN_INVALID"


def test_an_access_token_whose_user_is_inactive_or_gone_is_refused(api_client, user_factory):
    inactive, deleted = user_factory(), user_factory()
    inactive_access = login(api_client, inactive.username).json()["access"]
    deleted_access = login(api_client, deleted.username).json()["access"]
    inactive.is_active = False
    inactive.save()
    deleted.delete()

    for access in (inactive_access, deleted_access):
        bearer(api_client, access)
        response = api_client.get(PROFILE)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "TOKEN_INVALID"


@pytest.mark.parametrize("claims", [{}, {"user_id": "not-a-uuid"}, {"user_id": 12}])
def test_a_signed_access_token_without_a_usable_user_id_is_refused(api_client, claims):
    token = AccessToken()
    for claim, value in claims.items():
        token[claim] = value
    bearer(api_client, str(token))

    response = api_client.get(PROFILE)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


def test_the_profile_is_read_in_one_query(api_client, user, django_assert_num_queries):
    bearer(api_client, login(api_client, user.username).json()["access"])

    with django_assert_num_queries(1):
        response = api_client.get(PROFILE)

    assert response.json()["user_id"] == str(user.public_id)


def test_an_expired_suspension_lets_the_user_back(api_client, user):
    user.suspended_until = timezone.now() - timedelta(seconds=1)
    user.save()
    assert login(api_client, user.username).status_code == 200


def test_blacklisting_all_tokens_revokes_every_session(api_client, user):
    from accounts.services import user_blacklist_all_refresh_tokens

    pairs = [login(api_client, user.username).json() for _ in range(3)]
    assert user_blacklist_all_refresh_tokens(user=user) == 3
    for pair in pairs:
        assert api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_used_concurrently_rotates_once(user):
    from rest_framework.test import APIClient

    pair = login(APIClient(), user.username).json()
    workers = 8
    barrier = threading.Barrier(workers)
    statuses = []

    def refresh():
        try:
            barrier.wait()
            statuses.append(APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [401] * (workers - 1)
