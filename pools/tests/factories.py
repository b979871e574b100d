"""Test set-up: verified students (verification rows as staff approval leaves them) and pools
made through the real service."""

from collections.abc import Sequence
from datetime import timedelta

import time_machine
from django.utils import timezone

from config.testing import UserFactory
from pools import services
from pools.models import Pool
from verification.models import Verification, VerificationStatus

ENGINEERING = "공과대학"
BUSINESS = "경영대학"


def verified_user(
    *,
    gender: str = "male",
    school_name: str = "서울대학교",
    department: str = "컴퓨터공학과",
    major_category: str = ENGINEERING,
    grade: str = "3학년",
    department_visible: bool = True,
    **user_fields,
):
    user = UserFactory(gender=gender, **user_fields)
    now = timezone.now()
    Verification.objects.create(
        user=user,
        status=VerificationStatus.APPROVED,
        school_name=school_name,
        department=department,
        major_category=major_category,
        grade=grade,
        student_id=f"2021-{user.pk:05d}",
        gender=gender,
        department_visible=department_visible,
        reviewed_at=now,
        verified_at=now,
    )
    return user


def pool_input(members: Sequence = (), **overrides) -> dict:
    """A valid request body for ``POST /matching/pools``."""
    body = {
        "member_ids": [str(member.public_id) for member in members],
        "preferred_match_type": "any",
        "preferred_categories": [],
        "matching_type": "blind",
        "message": "즐겁게 만나요!",
    }
    body.update(overrides)
    return body


def make_pool(
    *,
    size: int = 2,
    gender: str = "male",
    department: str = "컴퓨터공학과",
    major_category: str = ENGINEERING,
    grade: str = "3학년",
    preferred_match_type: str = "any",
    preferred_categories: Sequence[str] = (),
    matching_type: str = "blind",
    message: str = "즐겁게 만나요!",
    creator=None,
    members: Sequence | None = None,
) -> Pool:
    """A pool of ``size`` fresh verified students (or the given creator/members), via ``pool_create``."""
    profile = {"gender": gender, "department": department, "major_category": major_category, "grade": grade}
    creator = creator or verified_user(**profile)
    if members is None:
        members = [verified_user(**profile) for _ in range(size - 1)]
    return services.pool_create(
        creator=creator,
        member_ids=[member.public_id for member in members],
        preferred_match_type=preferred_match_type,
        preferred_categories=list(preferred_categories),
        matching_type=matching_type,
        message=message,
    )


def member_users(pool: Pool) -> list:
    return [member.user for member in pool.members.select_related("user").order_by("position")]


def proposed_pair(*, size: int = 2, **pool_a_fields):
    """A male pool and a female pool (created in that order) proposed to each other by a pairing run."""
    from pools.models import Proposal

    # A second earlier, so pool_a is the longer-waiting one even under a frozen clock.
    with time_machine.travel(timezone.now() - timedelta(seconds=1), tick=False):
        pool_a = make_pool(gender="male", size=size, **pool_a_fields)
    pool_b = make_pool(gender="female", size=size, department="경영학과", major_category=BUSINESS)
    services.pool_pairing_run()
    proposal = Proposal.objects.get(pool_a=pool_a, pool_b=pool_b)
    pool_a.refresh_from_db()
    pool_b.refresh_from_db()
    return proposal, pool_a, pool_b


def matched_pair(*, size: int = 2, **pool_a_fields):
    proposal, pool_a, pool_b = proposed_pair(size=size, **pool_a_fields)
    services.proposal_accept(user=pool_a.creator, proposal_id=proposal.pk)
    outcome = services.proposal_accept(user=pool_b.creator, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    pool_a.refresh_from_db()
    pool_b.refresh_from_db()
    return proposal, pool_a, pool_b, outcome
