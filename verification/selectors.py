"""Verification reads.

Other apps use ``verified_profile(user)`` / ``verified_profiles(user_ids)`` to ask whether users
are verified and with which school, department, major category, grade and gender; those return
plain data, never ORM objects. The other selectors serve this app's views and admin.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from verification.models import Verification, VerificationDocument, VerificationDocumentLink, VerificationStatus


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


def latest_verification(user) -> Verification | None:
    """The user's most recent verification (any status) with its document links, or ``None``."""
    return (
        Verification.objects.filter(user=user)
        .prefetch_related(_ordered_links())
        .order_by("-submitted_at", "-verification_id")
        .first()
    )


def pending_verifications():
    """Pending verifications, oldest first, with user and document links loaded (no N+1)."""
    return (
        Verification.objects.filter(status=VerificationStatus.PENDING)
        .select_related("user")
        .prefetch_related(_ordered_links())
        .order_by("submitted_at", "verification_id")
    )


def document_for_viewer(*, viewer, document_id) -> VerificationDocument | None:
    """The document if ``viewer`` may read it (its owner, or staff), else ``None``.

    Someone else's document and a missing one look the same to the caller (a 404), so ids
    cannot be probed.
    """
    if viewer is None or not viewer.is_authenticated:
        return None
    documents = VerificationDocument.objects.filter(document_id=document_id)
    if not viewer.is_staff:
        documents = documents.filter(owner_id=viewer.pk)
    return documents.first()


def _ordered_links() -> Prefetch:
    return Prefetch("document_links", queryset=VerificationDocumentLink.objects.order_by("position"))
