"""Group pools and the proposals that pair them (CONTRACT §6).

Invariants the database holds:
- a user is a member of at most one active (``waiting``/``proposed``) pool: ``PoolMember.is_active``
  with a partial unique index on the user;
- a pool sits in at most one open proposal: ``ProposalSide.is_open`` with a partial unique index
  on the pool;
- two pools are proposed to each other at most once, ever (a unique index on the unordered pair),
  so a rejected (or unanswered) pair is never proposed again;
- 2-8 members, a 1-200 character message, known enum values, and timestamps that agree with the
  status (``matched_at`` exactly when matched, ``closed_at`` exactly when no longer active/open).

Lock protocol (see services.py): a proposal, its sides and its pools' statuses change only while
the rows of both its pools are locked.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from pools.conf import MAX_MEMBERS, MESSAGE_MAX_CHARS, MIN_MEMBERS


class PoolStatus(models.TextChoices):
    WAITING = "waiting", "waiting"
    PROPOSED = "proposed", "proposed"
    MATCHED = "matched", "matched"
    EXPIRED = "expired", "expired"
    CANCELLED = "cancelled", "cancelled"


ACTIVE_POOL_STATUSES = (PoolStatus.WAITING, PoolStatus.PROPOSED)
CLOSED_POOL_STATUSES = (PoolStatus.MATCHED, PoolStatus.EXPIRED, PoolStatus.CANCELLED)


class PoolGender(models.TextChoices):
    MALE = "male", "male"
    FEMALE = "female", "female"


class MatchType(models.TextChoices):
    ANY = "any", "any"
    SAME_DEPARTMENT = "same_department", "same_department"
    MAJOR_CATEGORY = "major_category", "major_category"


class MatchingType(models.TextChoices):
    BLIND = "blind", "blind"
    OPEN = "open", "open"


class Pool(models.Model):
    """A group of 2-8 verified students of one gender waiting to be paired with another group.

    School, department, major category, grade and gender are the creator's verified values at
    creation time (the pairing job matches on them).
    """

    # ``pool_id`` in every payload.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_pools")
    school_name = models.CharField(max_length=100)
    department = models.CharField(max_length=100)
    major_category = models.CharField(max_length=100)
    grade = models.CharField(max_length=20)
    gender = models.CharField(max_length=6, choices=PoolGender.choices)
    member_count = models.PositiveSmallIntegerField()
    preferred_match_type = models.CharField(max_length=15, choices=MatchType.choices)
    preferred_categories = models.JSONField(default=list, blank=True)
    matching_type = models.CharField(max_length=5, choices=MatchingType.choices)
    message = models.CharField(max_length=MESSAGE_MAX_CHARS)
    status = models.CharField(max_length=9, choices=PoolStatus.choices, default=PoolStatus.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    matched_at = models.DateTimeField(null=True, blank=True)
    # When the pool left the active states (matched, expired or cancelled).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The pairing job's queue: waiting pools, longest-waiting first.
            models.Index(fields=["created_at", "id"], condition=Q(status="waiting"), name="pools_pool_waiting_queue"),
            # The expiry job: active pools by deadline.
            models.Index(
                fields=["expires_at"], condition=Q(status__in=["waiting", "proposed"]), name="pools_pool_active_expiry"
            ),
            models.Index(fields=["created_at"], name="pools_pool_created"),
            models.Index(fields=["matched_at"], condition=Q(status="matched"), name="pools_pool_matched"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_count__gte=MIN_MEMBERS, member_count__lte=MAX_MEMBERS),
                name="pools_pool_member_count_range",
            ),
            models.CheckConstraint(condition=Q(status__in=PoolStatus.values), name="pools_pool_status_valid"),
            models.CheckConstraint(condition=Q(gender__in=PoolGender.values), name="pools_pool_gender_valid"),
            models.CheckConstraint(
                condition=Q(preferred_match_type__in=MatchType.values), name="pools_pool_match_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(matching_type__in=MatchingType.values), name="pools_pool_matching_type_valid"
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("message"), 1) & LessThanOrEqual(Length("message"), MESSAGE_MAX_CHARS),
                name="pools_pool_message_length",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="pools_pool_expires_after_created"),
            models.CheckConstraint(
                condition=Q(status="matched", matched_at__isnull=False) | (~Q(status="matched") & Q(matched_at__isnull=True)),
                name="pools_pool_matched_at_iff_matched",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "proposed"], closed_at__isnull=True)
                | Q(status__in=["matched", "expired", "cancelled"], closed_at__isnull=False),
                name="pools_pool_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.grade} x{self.member_count} ({self.status})"


class PoolMember(models.Model):
    """A user's seat in a pool. ``is_active`` is true while the pool is waiting or proposed."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pool_memberships")
    # Display order, from 1: the creator first, then ``member_ids`` as sent.
    position = models.PositiveSmallIntegerField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pool", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "user"], name="pools_member_once_per_pool"),
            models.UniqueConstraint(fields=["pool", "position"], name="pools_member_position_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_active=True), name="pools_member_one_active_pool_per_user"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="pools_member_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.pool_id}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "pending"
    MATCHED = "matched", "matched"
    REJECTED = "rejected", "rejected"
    EXPIRED = "expired", "expired"
    CANCELLED = "cancelled", "cancelled"


class SideResponse(models.TextChoices):
    PENDING = "pending", "pending"
    ACCEPTED = "accepted", "accepted"
    REJECTED = "rejected", "rejected"


class Side(models.TextChoices):
    A = "a", "a"
    B = "b", "b"


class Proposal(models.Model):
    """Two pools offered to each other. ``pool_a`` waited longer: its members are ``A1..An`` in the room."""

    # ``proposal_id`` in every payload.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pool_a = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="proposals_as_a")
    pool_b = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="proposals_as_b")
    status = models.CharField(max_length=9, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # Never later than either pool's own expiry, so a proposal never outlives its pools.
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(status="pending"), name="pools_proposal_open_expiry"),
            models.Index(fields=["created_at"], name="pools_proposal_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(pool_a=F("pool_b")), name="pools_proposal_two_pools"),
            models.UniqueConstraint(Least("pool_a", "pool_b"), Greatest("pool_a", "pool_b"), name="pools_proposal_pair_once"),
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="pools_proposal_status_valid"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="pools_proposal_expires_after_created"),
            models.CheckConstraint(
                condition=Q(status="pending", closed_at__isnull=True) | (~Q(status="pending") & Q(closed_at__isnull=False)),
                name="pools_proposal_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool_a_id} x {self.pool_b_id} ({self.status})"


class ProposalSide(models.Model):
    """One pool's seat in a proposal and its creator's answer.

    ``is_open`` is true while the proposal is pending; the partial unique index on ``pool`` is
    what keeps a pool in at most one open proposal, whatever runs concurrently.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sides")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="proposal_sides")
    side = models.CharField(max_length=1, choices=Side.choices)
    response = models.CharField(max_length=8, choices=SideResponse.choices, default=SideResponse.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["proposal", "side"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "side"], name="pools_side_one_per_side"),
            models.UniqueConstraint(fields=["proposal", "pool"], name="pools_side_pool_once"),
            models.UniqueConstraint(
                fields=["pool"], condition=Q(is_open=True), name="pools_side_one_open_proposal_per_pool"
            ),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="pools_side_side_valid"),
            models.CheckConstraint(condition=Q(response__in=SideResponse.values), name="pools_side_response_valid"),
            models.CheckConstraint(
                condition=Q(response="pending", responded_at__isnull=True)
                | (~Q(response="pending") & Q(responded_at__isnull=False)),
                name="pools_side_responded_at_iff_responded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.side}: {self.response}"
