"""Pool and proposal use cases: create, cancel, pair, answer, expire.

Lock protocol. A proposal, its sides and the statuses of its pools change only while the rows of
both its pools are locked (``SELECT ... FOR NO KEY UPDATE``), always taken in primary-key order.
The pairing and expiry jobs lock with ``SKIP LOCKED``: they never wait, so they can never be part
of a deadlock, and several workers can run them at once, each taking the rows the others are not
holding. The database has the last word on every invariant (see models.py); the locks make sure
the services never run into those constraints in normal operation.

Reads treat anything past its ``expires_at`` as expired at once; a write that meets such a row
expires it for real in its own transaction before answering.
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from chat.services import RoomGroupSpec, RoomSummary, chat_room_open_for_proposal
from pools import conf, events
from pools.errors import (
    AlreadyInPool,
    AlreadyMatched,
    AlreadyResponded,
    CategoriesRequired,
    InvalidMemberCount,
    InvalidMessageLength,
    MixedGender,
    NotPoolCreator,
    NotProposalResponder,
    PoolExpired,
    PoolNotFound,
    ProposalExpired,
    ProposalNotFound,
    UnverifiedMember,
)
from pools.models import (
    ACTIVE_POOL_STATUSES,
    MatchingType,
    MatchType,
    Pool,
    PoolMember,
    PoolStatus,
    Proposal,
    ProposalSide,
    ProposalStatus,
    Side,
    SideResponse,
)
from pools.pairing import Candidate, plan_pairs
from verification.selectors import verified_profiles

logger = logging.getLogger(__name__)
User = get_user_model()


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalOutcome:
    proposal_id: uuid.UUID
    my_status: str
    other_status: str
    final_status: str  # "pending" | "matched" | "rejected"
    chat_room: RoomSummary | None


@dataclass(frozen=True)
class PairingResult:
    waiting: int  # waiting pools the run looked at
    planned: int  # pairs the plan found
    proposed: int  # proposals actually created (pairs whose pools another worker held are left)


@dataclass(frozen=True)
class ExpiryResult:
    proposals_expired: int
    pools_expired: int


class _CloseOutcome(Enum):
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    EXPIRED = "expired"
    MATCHED = "matched"


# --- Pool creation -----------------------------------------------------------------------


def _eligible(user) -> bool:
    return user.is_active and not user.is_banned and not user.is_suspended


def _unique_in_order(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def pool_create(
    *,
    creator,
    member_ids: Sequence[uuid.UUID],
    preferred_match_type: str,
    preferred_categories: Sequence[str],
    matching_type: str,
    message: str,
) -> Pool:
    """Registers a pool of ``creator`` and ``member_ids`` (public ids); the creator is always a member.

    Checks, in this order: INVALID_MESSAGE_LENGTH (1-200 characters), VALIDATION_ERROR
    (``preferred_categories`` empty for ``major_category``), INVALID_MEMBER_COUNT (2-8 distinct
    members), UNVERIFIED_MEMBER (unknown, inactive, banned or suspended accounts and accounts
    without an approved verification; ``details.member_ids`` names them), MIXED_GENDER (a verified
    gender other than the creator's; named likewise), ALREADY_IN_POOL (a member of another active
    pool; named likewise). The pool takes the creator's verified school, department, major
    category, grade and gender, and expires after ``POOL_LIFETIME``. A pairing run is enqueued
    after commit.
    """
    if not 1 <= len(message) <= conf.MESSAGE_MAX_CHARS:
        raise InvalidMessageLength(
            details={
                "message": [
                    gettext("1-%(max)d characters, got %(length)d")
                    % {"max": conf.MESSAGE_MAX_CHARS, "length": len(message)}
                ]
            }
        )
    categories = _unique_in_order(preferred_categories)
    if preferred_match_type == MatchType.MAJOR_CATEGORY and not categories:
        raise CategoriesRequired(details={"preferred_categories": [str(CategoriesRequired.default_message)]})
    public_ids = _unique_in_order([creator.public_id, *member_ids])
    if not conf.MIN_MEMBERS <= len(public_ids) <= conf.MAX_MEMBERS:
        raise InvalidMemberCount(details={"member_count": len(public_ids)})

    users = {user.public_id: user for user in User.objects.filter(public_id__in=public_ids)}
    profiles = verified_profiles(user.pk for user in users.values() if _eligible(user))
    unverified = [
        public_id for public_id in public_ids if public_id not in users or users[public_id].pk not in profiles
    ]
    if unverified:
        raise UnverifiedMember(details={"member_ids": [str(public_id) for public_id in unverified]})
    creator_profile = profiles[creator.pk]
    other_gender = [
        public_id for public_id in public_ids if profiles[users[public_id].pk].gender != creator_profile.gender
    ]
    if other_gender:
        raise MixedGender(details={"member_ids": [str(public_id) for public_id in other_gender]})

    members = [users[public_id] for public_id in public_ids]
    member_pks = [member.pk for member in members]
    try:
        with transaction.atomic():
            _expire_overdue_pools_of(member_pks)
            busy = _members_in_active_pools(member_pks)
            if busy:
                raise AlreadyInPool(details={"member_ids": busy})
            now = timezone.now()
            pool = Pool.objects.create(
                creator=creator,
                school_name=creator_profile.school_name,
                department=creator_profile.department,
                major_category=creator_profile.major_category,
                grade=creator_profile.grade,
                gender=creator_profile.gender,
                member_count=len(members),
                preferred_match_type=preferred_match_type,
                preferred_categories=categories,
                matching_type=matching_type,
                message=message,
                created_at=now,
                expires_at=now + conf.POOL_LIFETIME,
            )
            # The partial unique index on active memberships settles two creations racing for a member.
            PoolMember.objects.bulk_create(
                [PoolMember(pool=pool, user=member, position=position) for position, member in enumerate(members, 1)]
            )
            _enqueue_pairing_on_commit()
    except IntegrityError:
        busy = _members_in_active_pools(member_pks)
        if not busy:
            raise
        raise AlreadyInPool(details={"member_ids": busy}) from None
    return pool


def _members_in_active_pools(user_pks: Sequence[int]) -> list[str]:
    return [
        str(public_id)
        for public_id in PoolMember.objects.filter(user_id__in=user_pks, is_active=True)
        .order_by("user__public_id")
        .values_list("user__public_id", flat=True)
    ]


def _expire_overdue_pools_of(user_pks: Sequence[int]) -> None:
    """Expires, now, the active pools of these users that are past their ``expires_at``."""
    overdue = (
        PoolMember.objects.filter(user_id__in=user_pks, is_active=True, pool__expires_at__lte=timezone.now())
        .values_list("pool_id", flat=True)
        .distinct()
    )
    for pool_id in sorted(overdue):
        _pool_close(pool_id, status=PoolStatus.EXPIRED)


def _enqueue_pairing_on_commit() -> None:
    from pools.tasks import pool_pairing_run

    # robust: the rows are committed either way; if the broker is down, beat's next run pairs them.
    transaction.on_commit(pool_pairing_run.delay, robust=True)


# --- Locks -------------------------------------------------------------------------------


def _lock_pools(pool_ids: Iterable[uuid.UUID], *, skip_locked: bool = False, **filters) -> dict[uuid.UUID, Pool]:
    """Locks the pools (``FOR NO KEY UPDATE``) in primary-key order; with ``skip_locked`` only the free ones."""
    queryset = Pool.objects.filter(pk__in=set(pool_ids), **filters).order_by("pk")
    return {pool.pk: pool for pool in queryset.select_for_update(no_key=True, skip_locked=skip_locked)}


class _OpenProposalMoved(Exception):
    pass


def _lock_pool_and_counterpart(pool_id: uuid.UUID) -> tuple[dict[uuid.UUID, Pool], ProposalSide | None]:
    """Locks a pool and, when it is in an open proposal, the other pool of it, in pk order.

    Returns the locked pools and the pool's open side (with its proposal). The open proposal can
    only change while the pool is locked, so it is read before locking and checked again after;
    if it moved in between, the savepoint is rolled back (which releases the locks it took) and
    the read starts again, so the pk order is never broken.
    """
    for _attempt in range(5):
        expected = _open_side(pool_id)
        wanted = {pool_id} | ({_other_pool_id(expected)} if expected else set())
        try:
            with transaction.atomic():
                pools = _lock_pools(wanted)
                current = _open_side(pool_id)
                if (current and current.pk) != (expected and expected.pk):
                    raise _OpenProposalMoved
                return pools, current
        except _OpenProposalMoved:
            continue
    raise RuntimeError(f"the open proposal of pool {pool_id} kept changing while locking it")


def _open_side(pool_id: uuid.UUID) -> ProposalSide | None:
    return ProposalSide.objects.select_related("proposal").filter(pool_id=pool_id, is_open=True).first()


def _other_pool_id(side: ProposalSide) -> uuid.UUID:
    proposal = side.proposal
    return proposal.pool_b_id if side.pool_id == proposal.pool_a_id else proposal.pool_a_id


# --- Closing pools and proposals (callers hold the pool locks) -----------------------------


def _pools_close(pool_ids: Iterable[uuid.UUID], *, status: str, now: datetime) -> None:
    """Active pools leave the active states; their members become free to join another pool."""
    pool_ids = list(pool_ids)
    if not pool_ids:
        return
    Pool.objects.filter(pk__in=pool_ids, status__in=ACTIVE_POOL_STATUSES).update(
        status=status, closed_at=now, matched_at=now if status == PoolStatus.MATCHED else None
    )
    PoolMember.objects.filter(pool_id__in=pool_ids, is_active=True).update(is_active=False)


def _proposals_close(proposal_ids: Iterable[uuid.UUID], *, status: str, now: datetime) -> None:
    proposal_ids = list(proposal_ids)
    Proposal.objects.filter(pk__in=proposal_ids, status=ProposalStatus.PENDING).update(status=status, closed_at=now)
    ProposalSide.objects.filter(proposal_id__in=proposal_ids, is_open=True).update(is_open=False)


def _pools_requeue(pools: Iterable[Pool], *, now: datetime) -> list[uuid.UUID]:
    """Proposed pools whose proposal closed unmatched go back to waiting (expired if overdue)."""
    pools = [pool for pool in pools if pool.status == PoolStatus.PROPOSED]
    back = [pool.pk for pool in pools if pool.expires_at > now]
    Pool.objects.filter(pk__in=back, status=PoolStatus.PROPOSED).update(status=PoolStatus.WAITING)
    _pools_close([pool.pk for pool in pools if pool.expires_at <= now], status=PoolStatus.EXPIRED, now=now)
    if back:
        _enqueue_pairing_on_commit()
    return back


def _pool_close(pool_id: uuid.UUID, *, status: str) -> _CloseOutcome:
    """Cancels (or, when overdue, expires) an active pool, cancelling its open proposal.

    The other pool of that proposal goes back to waiting. Idempotent for a cancelled pool.
    """
    with transaction.atomic():
        pools, open_side = _lock_pool_and_counterpart(pool_id)
        pool = pools[pool_id]
        now = timezone.now()
        if pool.status == PoolStatus.MATCHED:
            return _CloseOutcome.MATCHED
        if pool.status == PoolStatus.CANCELLED:
            return _CloseOutcome.ALREADY_CANCELLED
        if pool.status == PoolStatus.EXPIRED:
            return _CloseOutcome.EXPIRED
        overdue = pool.expires_at <= now
        final = PoolStatus.EXPIRED if overdue else status
        if open_side is not None:
            # A proposal never outlives its pools, so an overdue pool's proposal is overdue too.
            _proposals_close(
                [open_side.proposal_id],
                status=ProposalStatus.EXPIRED if final == PoolStatus.EXPIRED else ProposalStatus.CANCELLED,
                now=now,
            )
            _pools_requeue([other for other in pools.values() if other.pk != pool_id], now=now)
        _pools_close([pool_id], status=final, now=now)
        return _CloseOutcome.EXPIRED if final == PoolStatus.EXPIRED else _CloseOutcome.CANCELLED


# --- Pool cancellation -------------------------------------------------------------------


def pool_cancel(*, user, pool_id: uuid.UUID) -> None:
    """The creator cancels their pool; an open proposal is cancelled and the other pool waits again.

    Raises PoolNotFound (no such pool among the caller's pools), NotPoolCreator (a member who
    did not create it), AlreadyMatched, PoolExpired. Cancelling a cancelled pool succeeds again.
    """
    creator_id = (
        Pool.objects.filter(pk=pool_id, members__user=user).values_list("creator_id", flat=True).first()
    )
    if creator_id is None:
        raise PoolNotFound()
    if creator_id != user.pk:
        raise NotPoolCreator()
    outcome = _pool_close(pool_id, status=PoolStatus.CANCELLED)
    if outcome is _CloseOutcome.MATCHED:
        raise AlreadyMatched()
    if outcome is _CloseOutcome.EXPIRED:
        raise PoolExpired()


def pool_cancel_for_user(*, user) -> None:
    """Cancels the active (waiting or proposed) pool ``user`` is a member of, whoever created it.

    For moderation (a ban). Its open proposal is cancelled and the other pool returns to waiting.
    Does nothing when the user is in no active pool, so it is safe to call twice.
    """
    pool_id = PoolMember.objects.filter(user=user, is_active=True).values_list("pool_id", flat=True).first()
    if pool_id is not None:
        _pool_close(pool_id, status=PoolStatus.CANCELLED)


# --- Pairing -----------------------------------------------------------------------------


def pool_pairing_run(*, batch_size: int | None = None) -> PairingResult:
    """One pairing run over every waiting, unexpired pool (see ``pools.pairing`` for the rules).

    The plan is made from one read without locks; each batch of planned pairs is then written in
    its own transaction that locks the batch's pools with ``SKIP LOCKED`` and keeps only pairs
    whose two pools it got and that are still waiting, unexpired and never proposed to each other.
    Safe to run in several workers at once and to retry: a pool another run holds is left for the
    next run, and the partial unique index on open proposal sides is the last word.
    """
    batch_size = batch_size or conf.PAIRING_BATCH_SIZE
    now = timezone.now()
    rows = (
        Pool.objects.filter(status=PoolStatus.WAITING, expires_at__gt=now)
        .order_by("created_at", "pk")
        .values_list(
            "pk", "gender", "member_count", "preferred_match_type", "department", "major_category",
            "preferred_categories",
        )
    )
    candidates = [
        Candidate(
            pool_id=pk,
            gender=gender,
            member_count=member_count,
            match_type=match_type,
            department=department,
            major_category=major_category,
            categories=frozenset(categories) if match_type == MatchType.MAJOR_CATEGORY else frozenset(),
        )
        for pk, gender, member_count, match_type, department, major_category, categories in rows.iterator(
            chunk_size=5000
        )
    ]
    pairs = plan_pairs(candidates, _pairs_proposed_before())
    # Members of an active pool never change, so one read serves every batch (one scan, not one per batch).
    members = _member_public_ids({pool_id for pair in pairs for pool_id in pair}) if pairs else {}
    proposed = 0
    for start in range(0, len(pairs), batch_size):
        proposed += _proposals_create(pairs[start : start + batch_size], members=members)
    if pairs:
        counts = {"waiting": len(candidates), "planned": len(pairs), "proposed": proposed}
        logger.info("pairing run: %(waiting)d waiting, %(planned)d planned, %(proposed)d proposed", counts, extra=counts)
    return PairingResult(waiting=len(candidates), planned=len(pairs), proposed=proposed)


def _pairs_proposed_before() -> dict[uuid.UUID, set[uuid.UUID]]:
    """For each waiting pool, the waiting pools it was proposed to before (never again)."""
    before: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    pairs = Proposal.objects.filter(pool_a__status=PoolStatus.WAITING, pool_b__status=PoolStatus.WAITING)
    for pool_a, pool_b in pairs.values_list("pool_a_id", "pool_b_id").iterator(chunk_size=5000):
        before[pool_a].add(pool_b)
        before[pool_b].add(pool_a)
    return before


def _proposals_create(
    pairs: Sequence[tuple[uuid.UUID, uuid.UUID]], *, members: dict[uuid.UUID, list[uuid.UUID]]
) -> int:
    """Writes one batch of planned pairs as proposals; returns how many were created.

    ``members`` maps each pool to its members' public ids (for the ``proposal.received`` events).
    """
    with transaction.atomic():
        now = timezone.now()
        pools = _lock_pools(
            {pool_id for pair in pairs for pool_id in pair},
            skip_locked=True,
            status=PoolStatus.WAITING,
            expires_at__gt=now,
        )
        usable = [(a, b) for a, b in pairs if a in pools and b in pools]
        if not usable:
            return 0
        # Under the locks nobody can propose these pools, so this check cannot go stale.
        seen = _pairs_among({pool_id for pair in usable for pool_id in pair})
        usable = [(a, b) for a, b in usable if frozenset((a, b)) not in seen]
        if not usable:
            return 0
        proposals = [
            Proposal(
                id=uuid.uuid4(),
                pool_a_id=a,
                pool_b_id=b,
                created_at=now,
                expires_at=min(now + conf.PROPOSAL_LIFETIME, pools[a].expires_at, pools[b].expires_at),
            )
            for a, b in usable
        ]
        Proposal.objects.bulk_create(proposals)
        ProposalSide.objects.bulk_create(
            [
                ProposalSide(proposal_id=proposal.id, pool_id=pool_id, side=side)
                for proposal in proposals
                for side, pool_id in ((Side.A, proposal.pool_a_id), (Side.B, proposal.pool_b_id))
            ]
        )
        proposed_ids = [pool_id for pair in usable for pool_id in pair]
        Pool.objects.filter(pk__in=proposed_ids, status=PoolStatus.WAITING).update(status=PoolStatus.PROPOSED)
        missing = {pool_id for pool_id in proposed_ids if pool_id not in members}
        if missing:
            # Pools that left and re-entered the queue since the read above.
            members = {**members, **_member_public_ids(missing)}
        batch = events.EventBatch()
        for proposal in proposals:
            events.proposal_received(
                batch,
                proposal=proposal,
                pool_a=pools[proposal.pool_a_id],
                pool_b=pools[proposal.pool_b_id],
                members_a=members[proposal.pool_a_id],
                members_b=members[proposal.pool_b_id],
            )
        batch.send_on_commit()
    return len(proposals)


def _pairs_among(pool_ids: set[uuid.UUID]) -> set[frozenset]:
    return {
        frozenset(pair)
        for pair in Proposal.objects.filter(pool_a__in=pool_ids, pool_b__in=pool_ids).values_list(
            "pool_a_id", "pool_b_id"
        )
    }


_IN_LIST_MAX = 2000


def _member_public_ids(pool_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Member public ids of active pools, in display order.

    A few pools are looked up by id; many are read in one pass over the active memberships,
    because PostgreSQL scans the table for a long list of random UUIDs anyway.
    """
    members: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    rows = PoolMember.objects.filter(is_active=True).order_by("pool_id", "position")
    if len(pool_ids) <= _IN_LIST_MAX:
        rows = rows.filter(pool_id__in=pool_ids)
    for pool_id, public_id in rows.values_list("pool_id", "user__public_id").iterator(chunk_size=5000):
        if pool_id in pool_ids:
            members[pool_id].append(public_id)
    return members


# --- Answering proposals -----------------------------------------------------------------


def proposal_accept(*, user, proposal_id: uuid.UUID) -> ProposalOutcome:
    """The creator of one of the two pools accepts for their pool.

    When the other pool has accepted too, the proposal is matched: both pools become ``matched``,
    exactly one chat room is opened (``_chat_room_open``) and every member gets
    ``proposal.matched``. Both creators accepting at the same instant are serialized by the pool
    locks, so the second sees the first's answer. Raises ProposalNotFound, NotProposalResponder,
    ProposalExpired, AlreadyResponded.
    """
    return _proposal_respond(user=user, proposal_id=proposal_id, accept=True, reason="")


def proposal_reject(*, user, proposal_id: uuid.UUID, reason: str = "") -> ProposalOutcome:
    """The creator of one of the two pools rejects: the proposal is closed for good and both pools
    wait again (a pairing run is enqueued; this pair is never proposed again). Raises like
    ``proposal_accept``."""
    return _proposal_respond(user=user, proposal_id=proposal_id, accept=False, reason=reason)


def _proposal_respond(*, user, proposal_id: uuid.UUID, accept: bool, reason: str) -> ProposalOutcome:
    my_side = (
        ProposalSide.objects.select_related("proposal", "pool")
        .filter(proposal_id=proposal_id, pool__members__user=user)
        .first()
    )
    if my_side is None:
        raise ProposalNotFound()
    if my_side.pool.creator_id != user.pk:
        raise NotProposalResponder()
    proposal = my_side.proposal
    outcome: ProposalOutcome | None = None
    with transaction.atomic():
        pools = _lock_pools([proposal.pool_a_id, proposal.pool_b_id])
        now = timezone.now()
        proposal = Proposal.objects.get(pk=proposal_id)
        sides = {side.side: side for side in ProposalSide.objects.filter(proposal=proposal)}
        mine = sides[my_side.side]
        other = sides[Side.B if mine.side == Side.A else Side.A]
        if proposal.status == ProposalStatus.PENDING and proposal.expires_at <= now:
            # Expire it for real (committed), then answer EXPIRED below.
            _proposals_close([proposal.pk], status=ProposalStatus.EXPIRED, now=now)
            _pools_requeue(pools.values(), now=now)
        elif proposal.status == ProposalStatus.EXPIRED:
            pass
        elif proposal.status != ProposalStatus.PENDING or mine.response != SideResponse.PENDING:
            raise AlreadyResponded(details={"my_status": mine.response, "final_status": proposal.status})
        else:
            outcome = _side_answer(proposal, mine=mine, other=other, pools=pools, accept=accept, reason=reason, now=now)
    if outcome is None:
        raise ProposalExpired()
    return outcome


def _side_answer(
    proposal: Proposal,
    *,
    mine: ProposalSide,
    other: ProposalSide,
    pools: dict[uuid.UUID, Pool],
    accept: bool,
    reason: str,
    now: datetime,
) -> ProposalOutcome:
    mine.response = SideResponse.ACCEPTED if accept else SideResponse.REJECTED
    mine.responded_at = now
    mine.reason = reason
    mine.save(update_fields=["response", "responded_at", "reason"])
    if not accept:
        _proposals_close([proposal.pk], status=ProposalStatus.REJECTED, now=now)
        _pools_requeue(pools.values(), now=now)
        return ProposalOutcome(proposal.pk, mine.response, other.response, ProposalStatus.REJECTED, None)
    if other.response != SideResponse.ACCEPTED:
        return ProposalOutcome(proposal.pk, mine.response, other.response, ProposalStatus.PENDING, None)
    room = _proposal_match(proposal, pools=pools, now=now)
    return ProposalOutcome(proposal.pk, mine.response, other.response, ProposalStatus.MATCHED, room)


def _proposal_match(proposal: Proposal, *, pools: dict[uuid.UUID, Pool], now: datetime) -> RoomSummary:
    _proposals_close([proposal.pk], status=ProposalStatus.MATCHED, now=now)
    _pools_close(pools.keys(), status=PoolStatus.MATCHED, now=now)
    members = PoolMember.objects.filter(pool_id__in=pools.keys()).order_by("position")
    by_pool: dict[uuid.UUID, list[PoolMember]] = defaultdict(list)
    for member in members.select_related("user"):
        by_pool[member.pool_id].append(member)
    room = _chat_room_open(
        proposal_id=proposal.pk,
        pool_a=pools[proposal.pool_a_id],
        pool_b=pools[proposal.pool_b_id],
        members_a=by_pool[proposal.pool_a_id],
        members_b=by_pool[proposal.pool_b_id],
    )
    everyone = [member.user.public_id for member in (*by_pool[proposal.pool_a_id], *by_pool[proposal.pool_b_id])]
    events.proposal_matched(proposal_id=proposal.pk, room=room, member_public_ids=everyone)
    return room


def _chat_room_open(
    *, proposal_id: uuid.UUID, pool_a: Pool, pool_b: Pool, members_a: list[PoolMember], members_b: list[PoolMember]
) -> RoomSummary:
    """The one place a matched proposal opens its chat room (idempotent per proposal in chat)."""
    blind = MatchingType.BLIND in (pool_a.matching_type, pool_b.matching_type)
    return chat_room_open_for_proposal(
        proposal_id=proposal_id,
        group_a=RoomGroupSpec(
            user_ids=[member.user_id for member in members_a], department=pool_a.department, grade=pool_a.grade
        ),
        group_b=RoomGroupSpec(
            user_ids=[member.user_id for member in members_b], department=pool_b.department, grade=pool_b.grade
        ),
        display_mode=MatchingType.BLIND if blind else MatchingType.OPEN,
    )


# --- Expiry ------------------------------------------------------------------------------


def pools_expire_overdue(*, batch_size: int | None = None) -> ExpiryResult:
    """Expires proposals past their 24 h (their pools wait again, or expire if overdue themselves)
    and waiting pools past their 7 days. Batches lock with ``SKIP LOCKED``; rows another worker
    holds are left for the next run. Safe to run concurrently and to retry."""
    batch_size = batch_size or conf.EXPIRY_BATCH_SIZE
    proposals_expired = 0
    while True:
        done = _expire_proposal_batch(batch_size)
        proposals_expired += done
        if done == 0:
            break
    pools_expired = 0
    while True:
        done = _expire_pool_batch(batch_size)
        pools_expired += done
        if done == 0:
            break
    return ExpiryResult(proposals_expired=proposals_expired, pools_expired=pools_expired)


def _expire_proposal_batch(batch_size: int) -> int:
    with transaction.atomic():
        now = timezone.now()
        batch = list(
            Proposal.objects.filter(status=ProposalStatus.PENDING, expires_at__lte=now)
            .order_by("expires_at", "pk")
            .values_list("pk", "pool_a_id", "pool_b_id")[:batch_size]
        )
        if not batch:
            return 0
        pools = _lock_pools({pool_id for _, a, b in batch for pool_id in (a, b)}, skip_locked=True)
        held = [pk for pk, a, b in batch if a in pools and b in pools]
        # Re-read under the locks: an answer may have closed some of them meanwhile.
        due = set(
            Proposal.objects.filter(pk__in=held, status=ProposalStatus.PENDING, expires_at__lte=now).values_list(
                "pk", flat=True
            )
        )
        if not due:
            return 0
        _proposals_close(due, status=ProposalStatus.EXPIRED, now=now)
        _pools_requeue([pools[pool_id] for pk, a, b in batch if pk in due for pool_id in (a, b)], now=now)
        return len(due)


def _expire_pool_batch(batch_size: int) -> int:
    with transaction.atomic():
        now = timezone.now()
        batch = list(
            Pool.objects.filter(status=PoolStatus.WAITING, expires_at__lte=now)
            .order_by("expires_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return 0
        due = _lock_pools(batch, skip_locked=True, status=PoolStatus.WAITING, expires_at__lte=now)
        _pools_close(due.keys(), status=PoolStatus.EXPIRED, now=now)
        return len(due)
