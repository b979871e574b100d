"""Reads of pools and proposals. Anything past its ``expires_at`` reads as expired at once,
whether or not the expiry job has run yet."""

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from chat import selectors as chat_selectors
from pools.conf import MAX_MEMBERS, MIN_MEMBERS
from pools.models import (
    MatchType,
    Pool,
    PoolGender,
    PoolMember,
    PoolStatus,
    Proposal,
    ProposalSide,
    ProposalStatus,
)
from verification.selectors import verified_profiles

PROPOSAL_FILTERS = ("pending", "accepted", "rejected", "all")
STATS_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=30)}


def _hours(duration: timedelta | None) -> float:
    return round(duration.total_seconds() / 3600, 1) if duration is not None else 0.0


def pool_active_for_user(*, user) -> dict | None:
    """The waiting or proposed, unexpired pool ``user`` is a member of, shaped for ``pools/my``.

    A pool whose proposal has passed its deadline reads as ``waiting`` again. Members are listed
    creator first with their verified department and grade; a member who hides their department
    (``department_visible``) shows ``null`` to the others. Three queries.
    """
    now = timezone.now()
    open_proposal_expires_at = ProposalSide.objects.filter(pool=OuterRef("pk"), is_open=True).values(
        "proposal__expires_at"
    )[:1]
    pool = (
        Pool.objects.filter(members__user=user, members__is_active=True, expires_at__gt=now)
        .annotate(open_proposal_expires_at=Subquery(open_proposal_expires_at))
        .first()
    )
    if pool is None:
        return None
    members = list(PoolMember.objects.filter(pool=pool).select_related("user").order_by("position"))
    profiles = verified_profiles(member.user_id for member in members)
    status = pool.status
    if status == PoolStatus.PROPOSED and (
        pool.open_proposal_expires_at is None or pool.open_proposal_expires_at <= now
    ):
        status = PoolStatus.WAITING
    return {
        "pool_id": pool.pk,
        "member_count": pool.member_count,
        "members": [_member_data(member, profiles.get(member.user_id), viewer=user) for member in members],
        "preferred_match_type": pool.preferred_match_type,
        "preferred_categories": pool.preferred_categories,
        "matching_type": pool.matching_type,
        "message": pool.message,
        "status": status,
        "created_at": pool.created_at,
        "expires_at": pool.expires_at,
    }


def _member_data(member: PoolMember, profile, *, viewer) -> dict:
    shows_department = profile is not None and (profile.department_visible or member.user_id == viewer.pk)
    return {
        "user_id": member.user.public_id,
        "name": member.user.username,
        "department": profile.department if shows_department else None,
        "grade": profile.grade if profile is not None else None,
    }


def pool_waiting_stats() -> dict:
    """Counts over the waiting, unexpired pools, in one aggregate query.

    ``by_member_count`` lists the sizes that have waiting pools; ``average_wait_time_hours`` is
    the mean age of the waiting pools (0.0 when none wait).
    """
    now = timezone.now()
    sizes = range(MIN_MEMBERS, MAX_MEMBERS + 1)
    row = Pool.objects.filter(status=PoolStatus.WAITING, expires_at__gt=now).aggregate(
        total=Count("pk"),
        average_wait=Avg(ExpressionWrapper(Value(now) - F("created_at"), output_field=DurationField())),
        **{f"size_{size}": Count("pk", filter=Q(member_count=size)) for size in sizes},
        **{f"gender_{gender}": Count("pk", filter=Q(gender=gender)) for gender in PoolGender.values},
    )
    return {
        "total_waiting": row["total"],
        "by_member_count": {str(size): row[f"size_{size}"] for size in sizes if row[f"size_{size}"]},
        "by_gender": {gender: row[f"gender_{gender}"] for gender in PoolGender.values},
        "average_wait_time_hours": _hours(row["average_wait"]),
    }


def proposals_for_user(*, user, status: str = "pending") -> list[dict]:
    """The proposals of every pool ``user`` is or was a member of, newest first, from that pool's side.

    ``status`` filters on the proposal's outcome: ``pending`` (open and not past its deadline),
    ``accepted`` (matched), ``rejected``, or ``all`` (also expired and cancelled ones). One query.
    """
    now = timezone.now()
    other_response = ProposalSide.objects.filter(proposal_id=OuterRef("proposal_id")).exclude(side=OuterRef("side"))
    sides = (
        ProposalSide.objects.filter(pool_id__in=PoolMember.objects.filter(user=user).values("pool_id"))
        .select_related("proposal__pool_a", "proposal__pool_b")
        .annotate(other_response=Coalesce(Subquery(other_response.values("response")[:1]), Value("pending")))
        .order_by("-proposal__created_at", "-proposal_id")
    )
    if status == "pending":
        sides = sides.filter(proposal__status=ProposalStatus.PENDING, proposal__expires_at__gt=now)
    elif status == "accepted":
        sides = sides.filter(proposal__status=ProposalStatus.MATCHED)
    elif status == "rejected":
        sides = sides.filter(proposal__status=ProposalStatus.REJECTED)
    return [_proposal_data(side, now) for side in sides]


def _proposal_data(side: ProposalSide, now) -> dict:
    proposal = side.proposal
    mine, theirs = (
        (proposal.pool_a, proposal.pool_b) if side.pool_id == proposal.pool_a_id else (proposal.pool_b, proposal.pool_a)
    )
    final_status = proposal.status
    if final_status == ProposalStatus.PENDING and proposal.expires_at <= now:
        final_status = ProposalStatus.EXPIRED
    return {
        "proposal_id": proposal.pk,
        "my_pool": {"pool_id": mine.pk, "member_count": mine.member_count, "department": mine.department},
        "matched_pool": {
            "pool_id": theirs.pk,
            "member_count": theirs.member_count,
            "department": theirs.department,
            "message": theirs.message,
            "matching_type": theirs.matching_type,
        },
        "my_status": side.response,
        "other_status": side.other_response,
        "final_status": final_status,
        "created_at": proposal.created_at,
        "expires_at": proposal.expires_at,
    }


def matching_admin_stats(*, period: str) -> dict:
    """Staff statistics over the last day, week or month (``period``), from aggregate queries.

    - ``total_pools_created`` and ``by_match_type``: pools created in the period;
    - ``total_proposals_sent``: proposals made in the period; ``total_matches_success``: those of
      them that were matched; ``success_rate`` = matches / proposals x 100 (2 decimals, 0 if none);
    - ``average_match_time_hours``: pool creation to match, over pools matched in the period;
    - ``active_chat_rooms``: chat rooms open now.
    """
    now = timezone.now()
    since = now - STATS_PERIODS[period]
    created = Q(created_at__gte=since)
    pools = Pool.objects.aggregate(
        created=Count("pk", filter=created),
        average_match=Avg(
            ExpressionWrapper(F("matched_at") - F("created_at"), output_field=DurationField()),
            filter=Q(status=PoolStatus.MATCHED, matched_at__gte=since),
        ),
        **{f"type_{kind}": Count("pk", filter=created & Q(preferred_match_type=kind)) for kind in MatchType.values},
    )
    proposals = Proposal.objects.filter(created_at__gte=since).aggregate(
        sent=Count("pk"), matched=Count("pk", filter=Q(status=ProposalStatus.MATCHED))
    )
    sent, matched = proposals["sent"], proposals["matched"]
    return {
        "period": period,
        "total_pools_created": pools["created"],
        "total_proposals_sent": sent,
        "total_matches_success": matched,
        "success_rate": round(matched / sent * 100, 2) if sent else 0.0,
        "average_match_time_hours": _hours(pools["average_match"]),
        "active_chat_rooms": chat_selectors.active_room_count(),
        "by_match_type": {kind: pools[f"type_{kind}"] for kind in MatchType.values},
    }
