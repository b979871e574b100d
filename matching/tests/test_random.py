"""``GET /api/match/random/``: the queue, the pairing rules, idempotency, location and gems."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from config.errors import ApiError
from gems.selectors import gem_balance
from gems.services import gem_wallet_debit
from matching import services
from matching.geo import distance_km
from matching.models import Match, MatchParticipant, MatchStatus
from matching.tests.factories import give_gems, pending_match, queue, set_conditions
from ratings.models import RatingSummary

URL = "/api/match/random/"
WAITING = {"match_id": None, "matched_user": None, "show_time_sec": 0, "status": "waiting"}
User = get_user_model()

pytestmark = pytest.mark.django_db


def fresh(user):
    user.refresh_from_db()
    return user


def partner_of(match: Match, user) -> int:
    return match.user_b_id if match.user_a_id == user.pk else match.user_a_id


# --- the endpoint ----------------------------------------------------------------------------
def test_requires_a_token(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_alone_in_the_queue_waits(user, auth_client):
    before = timezone.now()
    response = auth_client(user).get(URL)
    assert response.status_code == 200
    assert response.json() == WAITING
    user = fresh(user)
    assert user.is_matching is True
    assert user.matching_since >= before and user.matching_heartbeat_at >= before


def test_pairs_with_the_waiting_user_and_shows_them(user_factory, auth_client, settings):
    settings.MATCH_SHOW_TIME_SEC = 15
    waiting = user_factory(username="waiting_one", age=31, gender="female")
    RatingSummary.objects.create(user=waiting, rating_count=4, rating_sum=17)
    requester = user_factory(age=29, gender="male")
    assert auth_client(waiting).get(URL).json() == WAITING

    with time_machine.travel("2026-03-01 10:00:00 +0000", tick=False):
        response = auth_client(requester).get(URL)
    assert response.status_code == 200
    match = Match.objects.get()
    assert response.json() == {
        "match_id": match.pk,
        "matched_user": {
            "user_id": str(waiting.public_id),
            "username": "waiting_one",
            "age": 31,
            "gender": "female",
            "profile_image": None,
            "rating": 4.3,
        },
        "show_time_sec": 15,
        "status": "pending",
        "expires_at": "2026-03-01T10:00:15Z",
    }
    assert (match.user_a_id, match.user_b_id, match.status) == (requester.pk, waiting.pk, MatchStatus.PENDING)
    assert set(MatchParticipant.objects.filter(is_open=True).values_list("user_id", flat=True)) == {
        requester.pk,
        waiting.pk,
    }


def test_the_waiting_user_sees_the_requester_on_their_next_call(user_factory, auth_client):
    waiting, requester = user_factory(), user_factory(username="req_user", age=40)
    match = pending_match(requester, waiting)
    body = auth_client(waiting).get(URL).json()
    assert body["match_id"] == match.pk
    assert body["matched_user"]["user_id"] == str(requester.public_id)
    assert body["matched_user"]["username"] == "req_user"
    assert body["matched_user"]["age"] == 40
    assert body["matched_user"]["rating"] is None


def test_profile_image_is_an_absolute_url(user_factory, auth_client):
    waiting = user_factory(profile_image="profiles/abc.png")
    requester = user_factory()
    auth_client(waiting).get(URL)
    image = auth_client(requester).get(URL).json()["matched_user"]["profile_image"]
    assert image == "http://testserver/media/profiles/abc.png"


def test_idempotent_while_a_match_is_pending(user_factory, auth_client):
    waiting, requester = user_factory(), user_factory()
    third = user_factory()
    auth_client(waiting).get(URL)
    first = auth_client(requester).get(URL).json()
    queue(third)
    again = auth_client(requester).get(URL).json()
    assert again == first
    assert Match.objects.count() == 1
    assert fresh(third).is_matching and not MatchParticipant.objects.filter(user=third).exists()


def test_the_longest_waiting_compatible_user_is_chosen(user_factory):
    first, second, third = user_factory(), user_factory(), user_factory()
    with time_machine.travel(timezone.now() - timedelta(seconds=30)):
        queue(second)
    with time_machine.travel(timezone.now() - timedelta(seconds=20)):
        queue(first)
    with time_machine.travel(timezone.now() - timedelta(seconds=10)):
        queue(third)
    requester = user_factory()
    match = queue(requester)
    assert partner_of(match, requester) == second.pk


def test_calling_again_keeps_ones_place_in_line(user_factory):
    early, late = user_factory(), user_factory()
    with time_machine.travel(timezone.now() - timedelta(seconds=60)):
        queue(early)
    with time_machine.travel(timezone.now() - timedelta(seconds=30)):
        queue(late)
    since = fresh(early).matching_since
    queue(early)  # a heartbeat: same place; the two waiting users pair with each other
    assert fresh(early).matching_since == since


def test_a_user_in_a_pending_match_is_not_offered_to_others(user_factory):
    a, b, c = user_factory(), user_factory(), user_factory()
    pending_match(a, b)
    assert queue(c) is None


# --- compatibility -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("waiting_profile", "waiting_conditions", "requester_profile", "requester_conditions", "paired"),
    [
        # gender, both ways
        (("female", 25), {"gender": "male"}, ("male", 25), {"gender": "female"}, True),
        (("female", 25), {"gender": "female"}, ("male", 25), {"gender": "female"}, False),
        (("female", 25), {"gender": "male"}, ("male", 25), {"gender": "male"}, False),
        (("male", 25), {"gender": "all"}, ("male", 25), {"gender": "male"}, True),
        # age, both ways
        (("female", 30), {"ages": (20, 29)}, ("male", 30), {}, False),
        (("female", 30), {}, ("male", 30), {"ages": (31, 40)}, False),
        (("female", 30), {"ages": (30, 30)}, ("male", 30), {"ages": (30, 30)}, True),
        (("female", 18), {"ages": (100, 100)}, ("male", 100), {"ages": (18, 18)}, True),
    ],
)
def test_compatibility_is_checked_both_ways(
    user_factory, waiting_profile, waiting_conditions, requester_profile, requester_conditions, paired
):
    waiting = user_factory(gender=waiting_profile[0], age=waiting_profile[1])
    requester = user_factory(gender=requester_profile[0], age=requester_profile[1])
    give_gems(waiting, 100)
    give_gems(requester, 100)
    set_conditions(waiting, **waiting_conditions)
    set_conditions(requester, **requester_conditions)
    assert queue(waiting) is None
    assert (queue(requester) is not None) is paired


def test_an_incompatible_earlier_user_is_skipped_for_a_compatible_later_one(user_factory):
    requester = user_factory(gender="male")
    give_gems(requester, 10)
    set_conditions(requester, gender="female")
    early_male, late_female = user_factory(gender="male"), user_factory(gender="female")
    give_gems(early_male, 10)
    set_conditions(early_male, gender="male")  # so the two waiting users do not pair themselves
    with time_machine.travel(timezone.now() - timedelta(seconds=20)):
        queue(early_male)
    queue(late_female)
    assert partner_of(queue(requester), requester) == late_female.pk


# --- radius --------------------------------------------------------------------------------------
SEOUL = (37.5665, 126.9780)
INCHEON = (37.4563, 126.7052)  # ~27 km from Seoul
BUSAN = (35.1796, 129.0756)  # ~325 km from Seoul


def test_haversine_reference_distances():
    assert 26 < distance_km(*SEOUL, *INCHEON) < 28
    assert 320 < distance_km(*SEOUL, *BUSAN) < 330


@pytest.mark.parametrize(
    ("requester_radius", "waiting_radius", "waiting_at", "paired"),
    [
        (30, None, INCHEON, True),
        (20, None, INCHEON, False),
        (None, 30, INCHEON, True),
        (None, 20, INCHEON, False),
        (30, 30, INCHEON, True),
        (500, 300, BUSAN, False),
        (500, 400, BUSAN, True),
        (None, None, BUSAN, True),
    ],
)
def test_radius_is_checked_both_ways(user_factory, requester_radius, waiting_radius, waiting_at, paired):
    waiting, requester = user_factory(), user_factory()
    give_gems(waiting, 10)
    give_gems(requester, 10)
    set_conditions(waiting, radius=waiting_radius)
    set_conditions(requester, radius=requester_radius)
    assert queue(waiting, lat=waiting_at[0], lng=waiting_at[1]) is None
    assert (queue(requester, lat=SEOUL[0], lng=SEOUL[1]) is not None) is paired


def test_a_radius_never_pairs_with_someone_whose_location_is_unknown(user_factory):
    waiting, requester = user_factory(), user_factory()
    give_gems(requester, 10)
    set_conditions(requester, radius=500)
    queue(waiting)
    assert queue(requester, lat=SEOUL[0], lng=SEOUL[1]) is None


def test_a_waiting_radius_never_pairs_with_a_requester_without_location(user_factory):
    waiting, requester = user_factory(), user_factory()
    give_gems(waiting, 10)
    set_conditions(waiting, radius=500)
    queue(waiting, lat=SEOUL[0], lng=SEOUL[1])
    assert queue(requester) is None


def test_across_the_antimeridian(user_factory):
    waiting, requester = user_factory(), user_factory()
    give_gems(requester, 10)
    set_conditions(requester, radius=50)
    queue(waiting, lat=-17.0, lng=179.9)
    assert queue(requester, lat=-17.0, lng=-179.9) is not None


def test_location_is_stored_rounded_to_about_a_kilometre(user, auth_client):
    before = timezone.now()
    auth_client(user).get(URL, {"lat": "37.56654", "lng": "126.97796"})
    user = fresh(user)
    assert (user.last_lat, user.last_lng) == (37.57, 126.98)
    assert user.location_updated_at >= before


def test_radius_without_a_known_location_is_refused_and_nothing_changes(user, auth_client):
    give_gems(user, 10)
    set_conditions(user, radius=10)
    response = auth_client(user).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "LOCATION_REQUIRED"
    assert response.json()["error"]["details"] == {"lat": ["Required with a radius."], "lng": ["Required with a radius."]}
    korean = auth_client(user).get(URL)
    assert korean.json()["error"]["details"] == {"lat": ["반경을 설정했다면 필수입니다."], "lng": ["반경을 설정했다면 필수입니다."]}
    user = fresh(user)
    assert user.is_matching is False and user.matching_since is None
    # With a location it works, and later calls may omit it.
    assert auth_client(user).get(URL, {"lat": 37.5, "lng": 127.0}).json() == WAITING
    assert auth_client(user).get(URL).json() == WAITING


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "37.5"}, "lng"),
        ({"lng": "127"}, "lat"),
        ({"lat": "91", "lng": "0"}, "lat"),
        ({"lat": "0", "lng": "-180.5"}, "lng"),
        ({"lat": "north", "lng": "0"}, "lat"),
        ({"lat": "nan", "lng": "0"}, "lat"),
        ({"lat": "0", "lng": "inf"}, "lng"),
    ],
)
def test_bad_coordinates_are_refused_and_nothing_changes(user, auth_client, query, field):
    response = auth_client(user).get(URL, query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == [field]
    user = fresh(user)
    assert user.is_matching is False and user.last_lat is None


@pytest.mark.parametrize(("query", "field"), [({"lat": "37.5"}, "lng"), ({"lng": "127"}, "lat")])
def test_one_coordinate_alone_is_refused_in_korean(user, auth_client, query, field):
    response = auth_client(user).get(URL, query)
    assert response.json()["error"]["details"] == {field: ["lat와 lng를 함께 보내 주세요."]}
    english = auth_client(user).get(URL, query, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {field: ["Send lat and lng together."]}
    user = fresh(user)
    assert user.is_matching is False and user.last_lat is None


def test_a_staff_account_without_age_cannot_queue(user_factory, auth_client):
    staff = user_factory(age=None, gender="", is_staff=True)
    response = auth_client(staff).get(URL)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "PROFILE_INCOMPLETE"
    assert fresh(staff).is_matching is False


# --- exclusions -------------------------------------------------------------------------------------
def test_blocked_pairs_are_never_paired_in_either_direction(user_factory):
    a, b = user_factory(), user_factory()
    services.match_block_pair(user=a, other=b)
    queue(a)
    assert queue(b) is None
    services.match_queue_leave(user=a)
    services.match_queue_leave(user=b)
    queue(b)
    assert queue(a) is None


def test_a_rejected_pair_waits_for_the_cooldown(user_factory, settings):
    settings.MATCH_REPEAT_COOLDOWN = timedelta(hours=24)
    a, b = user_factory(), user_factory()
    match = pending_match(a, b)
    services.match_decide(user=b, match_id=match.pk, decision="reject")
    assert queue(a) is None and queue(b) is None
    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59)):
        assert queue(a) is None
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        queue(b)
        again = queue(a)
    assert again is not None and again.pk != match.pk


def test_an_expired_match_does_not_start_the_cooldown(user_factory):
    a, b = user_factory(), user_factory()
    pending_match(a, b)
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        queue(b)
        assert queue(a) is not None


@pytest.mark.parametrize(
    "sanction", [{"is_banned": True}, {"suspended_until": timezone.now() + timedelta(days=7)}]
)
def test_sanctioned_users_are_never_paired(user_factory, sanction):
    sanctioned, requester = user_factory(), user_factory()
    queue(sanctioned)
    User.objects.filter(pk=sanctioned.pk).update(**sanction)
    assert queue(requester) is None


@pytest.mark.parametrize(
    ("sanction", "code"),
    [
        ({"is_banned": True}, "ACCOUNT_BANNED"),
        ({"suspended_until": timezone.now() + timedelta(days=1)}, "ACCOUNT_SUSPENDED"),
    ],
)
def test_a_sanction_that_lands_after_authentication_still_keeps_the_user_out(user, sanction, code):
    User.objects.filter(pk=user.pk).update(**sanction)  # ``user`` is the copy authenticated earlier
    with pytest.raises(ApiError) as raised:
        queue(user)
    assert raised.value.code == code
    assert fresh(user).is_matching is False


def test_a_suspension_that_ended_no_longer_excludes(user_factory):
    waiting, requester = user_factory(), user_factory()
    queue(waiting)
    User.objects.filter(pk=waiting.pk).update(suspended_until=timezone.now() - timedelta(minutes=1))
    assert queue(requester) is not None


def test_users_without_a_recent_heartbeat_are_not_offered(user_factory, settings):
    settings.MATCH_QUEUE_HEARTBEAT_TIMEOUT_SEC = 120
    gone, requester = user_factory(), user_factory()
    with time_machine.travel(timezone.now() - timedelta(seconds=121)):
        queue(gone)
    assert queue(requester) is None


def test_cancelled_users_are_not_offered(user_factory):
    left, requester = user_factory(), user_factory()
    queue(left)
    services.match_queue_leave(user=left)
    assert queue(requester) is None


def test_a_stale_pending_match_frees_both_users(user_factory):
    a, b, c = user_factory(), user_factory(), user_factory()
    stale = pending_match(a, b)
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        # Nobody decided and no job ran: c still gets b, whose match is past its deadline.
        match = queue(c)
    assert partner_of(match, c) == b.pk
    stale.refresh_from_db()
    assert stale.status == MatchStatus.EXPIRED
    assert not MatchParticipant.objects.filter(match=stale, is_open=True).exists()


# --- gems ------------------------------------------------------------------------------------------
def test_a_filtered_request_without_enough_gems_is_refused_up_front(user, auth_client, settings):
    settings.MATCH_FILTER_GEM_COST = 5
    give_gems(user, 4)
    set_conditions(user, gender="female")
    response = auth_client(user).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 402
    assert response.json()["error"] == {
        "code": "INSUFFICIENT_GEMS",
        "message": "You do not have enough gems.",
        "details": {"required": 5, "balance": 4},
    }
    user = fresh(user)
    assert user.is_matching is False and gem_balance(user=user) == 4


def test_korean_message_for_insufficient_gems(user, auth_client):
    set_conditions(user, ages=(20, 30))
    assert auth_client(user).get(URL).json()["error"]["message"] == "보석이 부족합니다."


def test_a_filtered_request_is_not_charged_when_queued_or_paired(user_factory, settings):
    settings.MATCH_FILTER_GEM_COST = 5
    requester, waiting = user_factory(), user_factory()
    give_gems(requester, 5)
    set_conditions(requester, ages=(20, 40))
    match = pending_match(requester, waiting)
    assert (match.filter_cost_a, match.filter_cost_b) == (5, 0)
    assert gem_balance(user=requester) == 5


def test_unfiltered_requests_need_no_gems(user_factory):
    waiting, requester = user_factory(), user_factory()
    assert pending_match(requester, waiting).filter_cost_a == 0


def test_a_waiting_user_who_can_no_longer_pay_for_their_filter_is_skipped(user_factory, settings):
    settings.MATCH_FILTER_GEM_COST = 5
    waiting, requester = user_factory(), user_factory()
    give_gems(waiting, 5)
    set_conditions(waiting, gender="male")
    queue(waiting)
    gem_wallet_debit(user=waiting, amount=3, reason="match_filter", reference="elsewhere")
    assert queue(requester) is None


# --- query counts --------------------------------------------------------------------------------
# Counted inside the test's transaction, so each of the two transactions of a request shows as
# SAVEPOINT + RELEASE (BEGIN/COMMIT in production).
def test_query_count_of_waiting(user, django_assert_num_queries):
    queue(user)
    with django_assert_num_queries(15):
        assert queue(user) is None


def test_query_count_of_pairing(user_factory, django_assert_num_queries):
    waiting, requester = user_factory(), user_factory()
    queue(waiting)
    with django_assert_num_queries(18):
        assert queue(requester) is not None


def test_query_count_of_an_idempotent_repeat(user_factory, django_assert_num_queries):
    waiting, requester = user_factory(), user_factory()
    pending_match(requester, waiting)
    with django_assert_num_queries(7):
        assert queue(requester) is not None


def test_query_count_does_not_grow_with_the_queue(user_factory, django_assert_num_queries):
    for _ in range(30):
        queue(user_factory(gender="male"))
    requester = user_factory(gender="male")
    give_gems(requester, 10)
    set_conditions(requester, gender="female")
    with django_assert_num_queries(16):
        assert queue(requester) is None
