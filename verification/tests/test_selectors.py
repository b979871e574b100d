import pytest
from django.utils import timezone

from verification.models import Verification, VerificationStatus
from verification.selectors import VerifiedProfile, verified_profile, verified_profiles


def _verification(user, *, status=VerificationStatus.APPROVED, **fields):
    now = timezone.now()
    decided = status != VerificationStatus.PENDING
    values = {
        "school_name": "서울대학교",
        "department": "컴퓨터공학과",
        "major_category": "공과대학",
        "grade": "3학년",
        "student_id": "2021-12345",
        "gender": "male",
        "reviewed_at": now if decided else None,
        "verified_at": now if status == VerificationStatus.APPROVED else None,
        **fields,
    }
    return Verification.objects.create(user=user, status=status, **values)


@pytest.mark.django_db
def test_verified_profile_returns_plain_data_of_the_approved_verification(user_factory):
    user = user_factory()
    approved = _verification(user, department_visible=False)

    profile = verified_profile(user)

    assert profile == VerifiedProfile(
        user_id=user.pk,
        school_name="서울대학교",
        department="컴퓨터공학과",
        major_category="공과대학",
        grade="3학년",
        gender="male",
        verified_at=approved.verified_at,
        badge_visible=True,
        department_visible=False,
    )


@pytest.mark.django_db
def test_verified_profile_is_none_without_an_approved_verification(user_factory):
    pending_user, rejected_user, nobody = user_factory(), user_factory(), user_factory()
    _verification(pending_user, status=VerificationStatus.PENDING)
    _verification(rejected_user, status=VerificationStatus.REJECTED)

    assert verified_profile(pending_user) is None
    assert verified_profile(rejected_user) is None
    assert verified_profile(nobody) is None


@pytest.mark.django_db
def test_verified_profile_after_a_rejection_then_an_approval(user_factory):
    user = user_factory()
    _verification(user, status=VerificationStatus.REJECTED, school_name="연세대학교")
    _verification(user, school_name="고려대학교")

    assert verified_profile(user).school_name == "고려대학교"


@pytest.mark.django_db
def test_verified_profiles_in_one_query_omits_unverified_users(user_factory, django_assert_num_queries):
    first, second, pending, nobody = user_factory(), user_factory(), user_factory(), user_factory()
    _verification(first)
    _verification(second, gender="female", grade="1학년")
    _verification(pending, status=VerificationStatus.PENDING)

    with django_assert_num_queries(1):
        profiles = verified_profiles([first.pk, second.pk, pending.pk, nobody.pk])

    assert set(profiles) == {first.pk, second.pk}
    assert profiles[second.pk].gender == "female"
    assert profiles[second.pk].grade == "1학년"
    assert profiles[first.pk].user_id == first.pk


@pytest.mark.django_db
def test_verified_profiles_of_no_ids_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert verified_profiles([]) == {}
