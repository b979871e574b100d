"""The selectors other apps use: ``verified_profile`` and ``verified_profiles``."""

import pytest

from verification import services
from verification.selectors import VerifiedProfile, verified_profile, verified_profiles
from verification.tests.factories import approved, rejected, staff_user, submit

pytestmark = pytest.mark.django_db


def test_verified_profile_returns_plain_data_of_the_approved_verification(user_factory):
    user = user_factory()
    verification = approved(user)
    services.verification_settings_update(user=user, department_visible=False)

    profile = verified_profile(user)

    assert profile == VerifiedProfile(
        user_id=user.pk,
        school_name="서울대학교",
        department="컴퓨터공학과",
        major_category="공과대학",
        grade="3학년",
        gender="male",
        verified_at=verification.verified_at,
        badge_visible=True,
        department_visible=False,
    )


def test_verified_profile_is_none_without_an_approved_verification(user_factory):
    pending_user, rejected_user, nobody = user_factory(), user_factory(), user_factory()
    submit(pending_user)
    rejected(rejected_user)

    assert verified_profile(pending_user) is None
    assert verified_profile(rejected_user) is None
    assert verified_profile(nobody) is None


def test_verified_profile_after_a_rejection_then_an_approval(user_factory):
    user = user_factory()
    rejected(user, school_name="연세대학교")
    approved(user, school_name="고려대학교")

    assert verified_profile(user).school_name == "고려대학교"


def test_verified_profile_is_one_query(user_factory, django_assert_num_queries):
    user = user_factory()
    approved(user)
    with django_assert_num_queries(1):
        assert verified_profile(user) is not None


def test_verified_profiles_in_one_query_omits_unverified_users(user_factory, django_assert_num_queries):
    first, second, pending, nobody = user_factory(), user_factory(), user_factory(), user_factory()
    reviewer = staff_user()
    approved(first, reviewer=reviewer)
    approved(second, reviewer=reviewer, gender="female", grade="1학년")
    submit(pending)

    with django_assert_num_queries(1):
        profiles = verified_profiles([first.pk, second.pk, pending.pk, nobody.pk])

    assert set(profiles) == {first.pk, second.pk}
    assert (profiles[second.pk].gender, profiles[second.pk].grade) == ("female", "1학년")
    assert profiles[first.pk].user_id == first.pk
    assert profiles[first.pk] == verified_profile(first)


def test_verified_profiles_accepts_any_iterable_and_duplicates(user_factory):
    user = user_factory()
    approved(user)
    assert set(verified_profiles(iter([user.pk, user.pk]))) == {user.pk}


def test_verified_profiles_of_no_ids_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert verified_profiles([]) == {}
