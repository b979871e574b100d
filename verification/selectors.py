"""Reads other apps may use. They return plain data, never ORM objects.

``pools`` asks ``verified_profile(user)`` / ``verified_profiles(user_ids)`` whether users are
verified and with which school, department, major category, grade and gender.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from verification.models import Verification, VerificationStatus


@dataclass(frozen=True)
class VerifiedProfile:
    user_id: int  # User pk
    school_name: str
    department: str
    major_category: str
    grade: str
    gender: str  # "male" | "female"
    verified_at: datetime
    badge_visible: bool
    department_visible: bool


_PROFILE_FIELDS = (
    "user_id",
    "school_name",
    "department",
    "major_category",
    "grade",
    "gender",
    "verified_at",
    "badge_visible",
    "department_visible",
)


def _approved():
    return Verification.objects.filter(status=VerificationStatus.APPROVED).values(*_PROFILE_FIELDS)


def verified_profile(user) -> VerifiedProfile | None:
    """The user's approved verification, else ``None`` (one query)."""
    if user is None or user.pk is None:
        return None
    # The partial unique index allows at most one approved row per user.
    row = _approved().filter(user_id=user.pk).first()
    return VerifiedProfile(**row) if row is not None else None


def verified_profiles(user_ids: Iterable[int]) -> dict[int, VerifiedProfile]:
    """``{user pk: profile}`` in one query; users without an approved verification are absent."""
    ids = {int(user_id) for user_id in user_ids}
    if not ids:
        return {}
    return {row["user_id"]: VerifiedProfile(**row) for row in _approved().filter(user_id__in=ids)}
