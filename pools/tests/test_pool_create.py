"""``POST /api/v1/matching/pools``: every rule and error code, the rate limit, the race for a member."""

import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from pools import services
from pools.errors import AlreadyInPool
from pools.models import Pool, PoolMember, PoolStatus
from pools.tests.factories import make_pool, pool_input, verified_user
from verification.models import Verification, VerificationStatus

URL = "/api/v1/matching/pools"
pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post(URL, body, format="json")


def assert_nothing_stored():
    assert Pool.objects.count() == 0
    assert PoolMember.objects.count() == 0


def test_creates_a_waiting_pool_with_the_creators_verified_profile(
    auth_client, pairing_enqueued, django_capture_on_commit_callbacks
):
    creator = verified_user(school_name="서울대학교", department="컴퓨터공학과", major_category="공과대학", grade="3학년")
    friends = [verified_user(department="경영학과", grade="1학년"), verified_user()]
    with time_machine.travel("2025-12-12T13:34:54Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        response = post(
            auth_client(creator),
            pool_input(
                friends,
                preferred_match_type="major_category",
                preferred_categories=["공과대학", "자연과학대학"],
                matching_type="open",
                message="즐겁게 만나요! 공대생 환영합니다 😊",
            ),
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    pool = Pool.objects.get()
    assert body["success"] is True
    assert body["message"] == "매칭 풀이 등록되었습니다."
    assert body["data"] == {
        "pool_id": str(pool.pk),
        "member_count": 3,
        "department": "컴퓨터공학과",
        "grade": "3학년",
        "gender": "male",
        "status": "waiting",
        "created_at": "2025-12-12T13:34:54Z",
        "expires_at": "2025-12-19T13:34:54Z",
    }
    assert (pool.school_name, pool.major_category, pool.preferred_match_type, pool.matching_type) == (
        "서울대학교",
        "공과대학",
        "major_category",
        "open",
    )
    assert pool.preferred_categories == ["공과대학", "자연과학대학"]
    assert pool.message == "즐겁게 만나요! 공대생 환영합니다 😊"
    assert pool.creator == creator
    members = list(pool.members.order_by("position").values_list("user_id", "position", "is_active"))
    assert members == [(creator.pk, 1, True), (friends[0].pk, 2, True), (friends[1].pk, 3, True)]
    # One pairing run is enqueued once the pool is committed.
    assert pairing_enqueued == [()]


def test_nothing_is_enqueued_when_the_transaction_does_not_commit(auth_client, pairing_enqueued):
    creator, friend = verified_user(), verified_user()
    # The test transaction never commits, so its on-commit callbacks never run.
    assert post(auth_client(creator), pool_input([friend])).status_code == 201
    assert pairing_enqueued == []


def test_the_creator_listed_among_the_members_and_repeated_ids_count_once(auth_client):
    creator, friend = verified_user(), verified_user()
    body = pool_input([creator, friend, friend, creator])

    response = post(auth_client(creator), body)

    assert response.status_code == 201
    assert response.json()["data"]["member_count"] == 2
    assert list(PoolMember.objects.order_by("position").values_list("user_id", flat=True)) == [creator.pk, friend.pk]


@pytest.mark.parametrize("friends", [1, 7])
def test_two_and_eight_members_are_accepted(auth_client, friends):
    creator = verified_user()
    response = post(auth_client(creator), pool_input([verified_user() for _ in range(friends)]))
    assert response.status_code == 201
    assert response.json()["data"]["member_count"] == friends + 1


@pytest.mark.parametrize(("friends", "count"), [(0, 1), (8, 9)])
def test_fewer_than_two_or_more_than_eight_members_is_invalid_member_count(auth_client, friends, count):
    creator = verified_user()
    response = post(auth_client(creator), pool_input([verified_user() for _ in range(friends)]))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error == {"code": "INVALID_MEMBER_COUNT", "message": "멤버 수 2~8명 제한", "details": {"member_count": count}}
    assert_nothing_stored()


def test_only_the_creator_repeated_is_still_one_member(auth_client):
    creator = verified_user()
    response = post(auth_client(creator), pool_input([creator, creator]))
    assert response.json()["error"]["code"] == "INVALID_MEMBER_COUNT"
    assert_nothing_stored()


def test_members_without_an_approved_verification_are_named(auth_client, user_factory):
    creator = verified_user()
    plain = user_factory()
    pending = user_factory()
    Verification.objects.create(
        user=pending, status=VerificationStatus.PENDING, school_name="서울대학교", department="경영학과",
        major_category="경영대학", grade="2학년", student_id="2022-1", gender="male",
    )
    unknown = uuid.uuid4()
    body = pool_input([plain, verified_user(), pending])
    body["member_ids"].append(str(unknown))

    response = post(auth_client(creator), body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "UNVERIFIED_MEMBER"
    assert error["message"] == "인증되지 않은 멤버 포함"
    assert error["details"] == {"member_ids": [str(plain.public_id), str(pending.public_id), str(unknown)]}
    assert_nothing_stored()


def test_an_unverified_creator_is_named_too(auth_client, user_factory):
    creator = user_factory()
    response = post(auth_client(creator), pool_input([verified_user()]))
    assert response.json()["error"] == {
        "code": "UNVERIFIED_MEMBER",
        "message": "인증되지 않은 멤버 포함",
        "details": {"member_ids": [str(creator.public_id)]},
    }
    assert_nothing_stored()


@pytest.mark.parametrize(
    "sanction",
    [
        {"is_banned": True},
        {"is_active": False},
        {"suspended_until": timezone.now() + timedelta(days=3)},
    ],
    ids=["banned", "inactive", "suspended"],
)
def test_sanctioned_or_inactive_members_cannot_join(auth_client, sanction):
    creator = verified_user()
    friend = verified_user(**sanction)
    response = post(auth_client(creator), pool_input([friend]))
    assert response.json()["error"]["code"] == "UNVERIFIED_MEMBER"
    assert response.json()["error"]["details"] == {"member_ids": [str(friend.public_id)]}
    assert_nothing_stored()


def test_a_member_of_the_other_verified_gender_is_mixed_gender(auth_client):
    creator = verified_user(gender="male")
    same = verified_user(gender="male")
    # The verified gender counts, not the account's.
    other = verified_user(gender="female")
    other.gender = "male"
    other.save(update_fields=["gender"])

    response = post(auth_client(creator), pool_input([same, other]))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MIXED_GENDER"
    assert response.json()["error"]["message"] == "모든 멤버의 성별이 풀 생성자와 같아야 합니다."
    assert response.json()["error"]["details"] == {"member_ids": [str(other.public_id)]}
    assert_nothing_stored()


def test_members_of_another_active_pool_are_already_in_pool(auth_client):
    taken = make_pool(size=3)
    busy = taken.members.order_by("position")[1].user
    creator = verified_user()

    response = post(auth_client(creator), pool_input([busy, verified_user()]))

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "ALREADY_IN_POOL",
        "message": "이미 다른 풀에 등록 중",
        "details": {"member_ids": [str(busy.public_id)]},
    }
    assert Pool.objects.count() == 1
    assert PoolMember.objects.filter(user=creator).count() == 0


def test_a_creator_in_a_proposed_pool_is_already_in_pool(auth_client):
    mine = make_pool(gender="male")
    make_pool(gender="female")
    services.pool_pairing_run()
    mine.refresh_from_db()
    assert mine.status == PoolStatus.PROPOSED

    response = post(auth_client(mine.creator), pool_input([verified_user()]))

    assert response.json()["error"]["code"] == "ALREADY_IN_POOL"
    assert response.json()["error"]["details"] == {"member_ids": [str(mine.creator.public_id)]}


def test_members_of_cancelled_or_matched_pools_are_free(auth_client):
    cancelled = make_pool()
    services.pool_cancel(user=cancelled.creator, pool_id=cancelled.pk)

    response = post(auth_client(cancelled.creator), pool_input([verified_user()]))

    assert response.status_code == 201
    assert PoolMember.objects.filter(user=cancelled.creator, is_active=True).count() == 1


def test_a_pool_past_its_expiry_frees_its_members_at_once(auth_client):
    old = make_pool()
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        # The expiry job has not run; the old pool still says waiting in the database.
        assert Pool.objects.get(pk=old.pk).status == PoolStatus.WAITING
        response = post(auth_client(old.creator), pool_input([verified_user()]))

    assert response.status_code == 201
    old.refresh_from_db()
    assert old.status == PoolStatus.EXPIRED
    assert not old.members.filter(is_active=True).exists()


@pytest.mark.parametrize(
    ("message", "length"), [("", 0), ("   ", 0), ("가" * 201, 201)], ids=["empty", "blank", "201-chars"]
)
def test_a_message_outside_1_to_200_characters_is_invalid_message_length(auth_client, message, length):
    creator = verified_user()
    response = post(auth_client(creator), pool_input([verified_user()], message=message))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_MESSAGE_LENGTH"
    assert error["message"] == "메시지 길이 초과"
    assert error["details"] == {"message": [f"1~200자여야 합니다(현재 {length}자)."]}
    body = pool_input([verified_user()], message=message)
    english = auth_client(creator).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"message": [f"1-200 characters, got {length}"]}
    assert_nothing_stored()


def test_a_200_character_message_is_fine(auth_client):
    creator = verified_user()
    response = post(auth_client(creator), pool_input([verified_user()], message="가" * 200))
    assert response.status_code == 201
    assert Pool.objects.get().message == "가" * 200


@pytest.mark.parametrize("categories", [None, []], ids=["missing", "empty"])
def test_major_category_needs_preferred_categories(auth_client, categories):
    creator = verified_user()
    body = pool_input([verified_user()], preferred_match_type="major_category")
    if categories is None:
        del body["preferred_categories"]
    else:
        body["preferred_categories"] = categories

    response = post(auth_client(creator), body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["details"]) == ["preferred_categories"]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member_ids": "not-a-list"}, "member_ids"),
        ({"member_ids": ["not-a-uuid"]}, "member_ids"),
        ({"member_ids": [12]}, "member_ids"),
        ({"preferred_match_type": "best"}, "preferred_match_type"),
        ({"matching_type": "secret"}, "matching_type"),
        ({"preferred_categories": "공과대학"}, "preferred_categories"),
        ({"preferred_categories": ["x" * 101]}, "preferred_categories"),
        ({"preferred_categories": [f"c{i}" for i in range(21)]}, "preferred_categories"),
        ({"message": 5}, "message"),
        ({"message": None}, "message"),
    ],
)
def test_wrong_types_and_unknown_values_are_validation_errors(auth_client, change, field):
    creator = verified_user()
    body = {**pool_input([verified_user()]), **change}

    response = post(auth_client(creator), body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]
    assert_nothing_stored()


@pytest.mark.parametrize("missing", ["member_ids", "preferred_match_type", "matching_type", "message"])
def test_missing_fields_are_validation_errors(auth_client, missing):
    creator = verified_user()
    body = pool_input([verified_user()])
    del body[missing]
    response = post(auth_client(creator), body)
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert missing in response.json()["error"]["details"]
    assert_nothing_stored()


def test_malformed_json_is_refused(auth_client):
    response = auth_client(verified_user()).post(URL, data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"


def test_without_a_token_it_is_unauthorized(api_client):
    response = post(api_client, pool_input([verified_user()]))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert_nothing_stored()


def test_three_pools_a_day_then_rate_limited(auth_client):
    creator = verified_user()
    client = auth_client(creator)
    first = post(client, pool_input([verified_user()]))
    assert first.status_code == 201
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("3", "2")
    services.pool_cancel(user=creator, pool_id=uuid.UUID(first.json()["data"]["pool_id"]))
    second = post(client, pool_input([verified_user()]))
    assert second.status_code == 201
    services.pool_cancel(user=creator, pool_id=uuid.UUID(second.json()["data"]["pool_id"]))
    assert post(client, pool_input([verified_user()])).status_code == 201
    services.pool_cancel(user=creator, pool_id=Pool.objects.get(status=PoolStatus.WAITING).pk)

    fourth = post(client, pool_input([verified_user()]))

    assert fourth.status_code == 429
    assert fourth.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert fourth["X-RateLimit-Remaining"] == "0"
    assert int(fourth["Retry-After"]) >= 1
    assert Pool.objects.count() == 3
    # Another user has their own allowance.
    assert post(auth_client(verified_user()), pool_input([verified_user()])).status_code == 201


def test_english_messages_with_accept_language(auth_client):
    creator = verified_user()
    response = auth_client(creator).post(URL, pool_input([]), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Member count is limited to 2~8 people"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pools_racing_for_one_member_one_wins_the_other_is_already_in_pool():
    shared = verified_user()
    creators = [verified_user(), verified_user()]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def create(creator):
        try:
            barrier.wait()
            pool = services.pool_create(
                creator=creator, member_ids=[shared.public_id], preferred_match_type="any",
                preferred_categories=[], matching_type="blind", message="hi",
            )
            outcomes.append(pool.pk)
        except AlreadyInPool as error:
            outcomes.append(error.details)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(creator,)) for creator in creators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Pool.objects.count() == 1
    assert sorted(outcomes, key=str) == sorted(
        [Pool.objects.get().pk, {"member_ids": [str(shared.public_id)]}], key=str
    )
    assert PoolMember.objects.filter(user=shared, is_active=True).count() == 1
