"""Random-matching use cases: settings, the queue, pairing, decisions, leaving, blocks, expiry.

Locks, always taken in this order so no two use cases wait on each other in a cycle:

1. ``User`` rows, in pk order (``FOR NO KEY UPDATE``: by an update of the queue fields, or
   explicitly; moderation updates the row before it calls ``match_queue_leave``);
2. the user's ``MatchSettings`` row, the per-user mutex of queueing, pairing and leaving;
3. ``Match`` rows (``FOR UPDATE``);
4. gem wallets (``gems.services``), only when a decision makes a match ``matched``;
5. ``MatchParticipant`` rows (closing), and new participant rows, inserted in user pk order.

Locks taken with ``SKIP LOCKED`` never wait, so they may come out of this order: the pairing's
candidate ``User`` rows and the expiry sweep's ``Match`` rows.

Pairing never locks the requester's own ``User`` row and takes candidates with ``SKIP LOCKED``,
so simultaneous requesters can pair with each other instead of all skipping one another. The
partial unique constraint ``matching_one_open_match_per_user`` is what finally guarantees one
open match per user: a request that loses a race for a candidate gets an IntegrityError and
retries. Every event is sent after commit.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from accounts.selectors import account_sanction_error
from gems.errors import InsufficientGems
from gems.models import GemReason
from gems.selectors import gem_balance
from gems.services import gem_wallet_debit
from matching import conf, events
from matching.errors import AlreadyDecided, LocationRequired, MatchNotFound, ProfileIncomplete
from matching.models import Decision, Match, MatchBlock, MatchParticipant, MatchSettings, MatchStatus
from matching.selectors import (
    match_candidates,
    match_filter_cost,
    match_is_stale,
    match_offer_payloads,
    match_open_for_user,
    match_partner,
)

User = get_user_model()

DEADLOCK_SQLSTATE = "40P01"
OUTCOME_WAITING = "waiting"
OUTCOME_MATCHED = "matched"
OUTCOME_NEXT = "next"


# --- helpers -----------------------------------------------------------------------------
def _lock_settings(user, *, create: bool = True) -> MatchSettings:
    """Locks the user's settings row, creating the defaults first if needed. Needs an open
    transaction. Read the user's row in a later statement, never joined here: a join read while
    waiting for this lock would show the user as they were before the lock holder committed."""
    if create:
        MatchSettings.objects.bulk_create([MatchSettings(user_id=user.pk)], ignore_conflicts=True)
    return MatchSettings.objects.select_for_update().get(user_id=user.pk)


def _close(match: Match, status: str, now: datetime, *, extra_fields: tuple[str, ...] = ()) -> None:
    """Moves a pending match to a final status and frees both participants' open-match slot."""
    match.status = status
    match.closed_at = now
    fields = ["status", "closed_at", *extra_fields]
    if status == MatchStatus.MATCHED:
        match.matched_at = now
        fields.append("matched_at")
    match.save(update_fields=fields)
    MatchParticipant.objects.filter(match_id=match.pk, is_open=True).update(is_open=False)


def _expire_stale(*, now: datetime, user=None, limit: int | None = None) -> int:
    """Marks pending matches past their deadline ``expired`` and tells both users (match.next).

    Rows another transaction holds are skipped: that transaction is deciding or closing them.
    """
    stale = Match.objects.filter(status=MatchStatus.PENDING, expires_at__lte=now)
    if user is not None:
        stale = stale.filter(Q(user_a_id=user.pk) | Q(user_b_id=user.pk))
    stale = stale.select_for_update(skip_locked=True, of=("self",)).select_related("user_a", "user_b").order_by("pk")
    matches = list(stale[: limit or conf.expiry_batch_size()])
    if not matches:
        return 0
    ids = [match.pk for match in matches]
    Match.objects.filter(pk__in=ids).update(status=MatchStatus.EXPIRED, closed_at=now)
    MatchParticipant.objects.filter(match_id__in=ids, is_open=True).update(is_open=False)
    for match in matches:
        events.match_next_on_commit(match, [match.user_a, match.user_b], "expired")
    return len(matches)


def _lock_users(condition: Q) -> list[int]:
    """Locks the matching users' rows in pk order (FOR NO KEY UPDATE, so foreign keys to them stay
    usable) and returns their pks."""
    return list(
        User.objects.filter(condition).order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True)
    )


def _leave_queue_fields() -> dict:
    return {"is_matching": False, "matching_since": None, "matching_heartbeat_at": None}


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_SQLSTATE


# --- settings ------------------------------------------------------------------------------
@transaction.atomic
def match_settings_update(
    *, user, preferred_gender: str, age_min: int, age_max: int, radius_km: int | None
) -> MatchSettings:
    """Saves the user's conditions; they apply to pairings made from now on."""
    settings_row = _lock_settings(user)
    settings_row.preferred_gender = preferred_gender
    settings_row.age_min = age_min
    settings_row.age_max = age_max
    settings_row.radius_km = radius_km
    settings_row.save(update_fields=["preferred_gender", "age_min", "age_max", "radius_km", "updated_at"])
    return settings_row


# --- queue and pairing ---------------------------------------------------------------------
def match_request(
    *,
    user,
    lat: float | None = None,
    lng: float | None = None,
    absolute_url: Callable[[str], str] | None = None,
) -> Match | None:
    """Puts ``user`` in the queue and pairs them with the longest-waiting compatible user.

    Returns the pending match (new, or the one the user already has: idempotent), or ``None``
    when nobody compatible is waiting (the user stays queued and gets ``match.found`` later).
    ``lat``/``lng`` update the user's location, rounded to about 1 km.

    Raises ProfileIncomplete, AccountSuspended/AccountBanned (a sanction that landed after the
    request was authenticated), LocationRequired (a radius and no known location),
    InsufficientGems (a filtered request and a balance below the cost); nothing changes then.
    """
    if user.age is None or user.gender not in ("male", "female"):
        raise ProfileIncomplete()
    existing = _queue_join(user=user, lat=lat, lng=lng)
    if existing is not None:
        return existing
    for _attempt in range(conf.pairing_attempts()):
        try:
            with transaction.atomic():
                return _pair(user=user, absolute_url=absolute_url)
        except IntegrityError:
            # The candidate (or the requester) was paired by a concurrent request first.
            continue
        except OperationalError as error:
            if not _is_deadlock(error):
                raise
            continue
    return match_open_for_user(user=user)


@transaction.atomic
def _queue_join(*, user, lat: float | None, lng: float | None) -> Match | None:
    """Refreshes the user's queue entry; returns their open match if they already have one.

    The user row is locked first and the user's own stale match swept last (lock order: users,
    settings, matches), so a decision on that match, which holds both user rows, is waited for,
    not deadlocked with.
    """
    now = timezone.now()
    fresh = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    # Read under the lock: a sanction committed after the request was authenticated still counts.
    sanction = account_sanction_error(fresh)
    if sanction is not None:
        raise sanction
    settings_row = _lock_settings(user)
    existing = match_open_for_user(user=user, now=now)
    if existing is not None:
        User.objects.filter(pk=user.pk).update(matching_heartbeat_at=now)
        return existing
    updates: dict = {}
    if lat is not None and lng is not None:
        digits = conf.location_decimals()
        updates.update(last_lat=round(lat, digits), last_lng=round(lng, digits), location_updated_at=now)
    if settings_row.radius_km is not None and not updates and (fresh.last_lat is None or fresh.last_lng is None):
        required = gettext("Required with a radius.")
        raise LocationRequired(details={"lat": [required], "lng": [required]})
    cost = match_filter_cost(settings_row)
    if cost:
        balance = gem_balance(user=user)
        if balance < cost:
            raise InsufficientGems(details={"required": cost, "balance": balance})
    User.objects.filter(pk=user.pk).update(
        is_matching=True,
        # Staying queued keeps one's place; joining anew goes to the back.
        matching_since=Case(
            When(is_matching=True, matching_since__isnull=False, then=F("matching_since")), default=Value(now)
        ),
        matching_heartbeat_at=now,
        **updates,
    )
    # A pending match past its deadline would still hold the user's open-match slot.
    _expire_stale(now=now, user=user)
    return None


def _pair(*, user, absolute_url: Callable[[str], str] | None) -> Match | None:
    """One pairing attempt; needs an open transaction. See the module docstring for the locks."""
    now = timezone.now()
    settings_row = _lock_settings(user, create=False)
    existing = match_open_for_user(user=user, now=now)
    if existing is not None:
        return existing
    me = User.objects.get(pk=user.pk)
    if not me.is_matching:
        # The user left the queue (cancel, sanction) after joining it in this request.
        return None
    _expire_stale(now=now)
    candidate = (
        match_candidates(user=me, settings_row=settings_row, now=now)
        .select_related("match_settings")
        .select_for_update(skip_locked=True, no_key=True, of=("self",))
        .first()
    )
    if candidate is None:
        return None
    match = Match.objects.create(
        user_a=me,
        user_b=candidate,
        filter_cost_a=match_filter_cost(settings_row),
        filter_cost_b=match_filter_cost(candidate.match_settings),
        created_at=now,
        expires_at=now + timedelta(seconds=conf.show_time_sec()),
    )
    MatchParticipant.objects.bulk_create(
        [MatchParticipant(match=match, user_id=pk) for pk in sorted((me.pk, candidate.pk))]
    )
    events.match_found_on_commit(match, match_offer_payloads(match=match, absolute_url=absolute_url))
    return match


# --- decisions -----------------------------------------------------------------------------
def _side(match: Match, user) -> str:
    return "a" if match.user_a_id == user.pk else "b"


def _other(side: str) -> str:
    return "b" if side == "a" else "a"


@transaction.atomic
def match_decide(*, user, match_id: int, decision: str) -> str:
    """Records ``user``'s accept/reject and returns ``waiting``, ``matched`` or ``next``.

    Locks the match row. Two accepts make it ``matched``: both leave the queue and each side
    that filtered pays its filter cost in this same transaction. Raises MatchNotFound (not a
    participant), AlreadyDecided (409), InsufficientGems when the caller cannot pay (nothing
    changes, the match stays pending until its deadline).
    """
    # Users before the match (see the lock order above): leaving the queue takes the user row
    # first and the match second, so taking them the other way round here could deadlock.
    participant_of_this_match = Match.objects.filter(pk=match_id).filter(Q(user_a_id=user.pk) | Q(user_b_id=user.pk))
    locked = _lock_users(
        Q(Exists(participant_of_this_match.filter(Q(user_a_id=OuterRef("pk")) | Q(user_b_id=OuterRef("pk")))))
    )
    if not locked:
        raise MatchNotFound()
    match = Match.objects.select_for_update(of=("self",)).select_related("user_a", "user_b").get(pk=match_id)
    side = _side(match, user)
    mine, theirs = f"decision_{side}", f"decision_{_other(side)}"
    if getattr(match, mine):
        raise AlreadyDecided()
    setattr(match, mine, decision)
    partner = match_partner(match=match, user=user)
    now = timezone.now()

    if match.status != MatchStatus.PENDING:
        # Already over (the partner rejected, it expired or was cancelled): just record it.
        match.save(update_fields=[mine])
        return OUTCOME_NEXT
    if match_is_stale(match, now):
        _close(match, MatchStatus.EXPIRED, now, extra_fields=(mine,))
        events.match_next_on_commit(match, [match.user_a, match.user_b], "expired")
        return OUTCOME_NEXT
    if decision == Decision.REJECT:
        # Both stay queued; the cooldown keeps this pair apart.
        _close(match, MatchStatus.REJECTED, now, extra_fields=(mine,))
        events.match_next_on_commit(match, [match.user_a, match.user_b], "rejected")
        return OUTCOME_NEXT
    if getattr(match, theirs) != Decision.ACCEPT:
        match.save(update_fields=[mine])
        return OUTCOME_WAITING
    return _make_matched(match=match, decider=user, partner=partner, mine=mine, now=now)


def _make_matched(*, match: Match, decider, partner, mine: str, now: datetime) -> str:
    """Both accepted: charge each side's filter cost, take both off the queue, mark it matched.

    The partner is charged first: if they spent their gems since queueing, nobody pays and the
    match is cancelled. If the decider cannot pay, InsufficientGems leaves this transaction and
    every write of it (the partner's charge included) rolls back.
    """
    costs = {match.user_a_id: match.filter_cost_a, match.user_b_id: match.filter_cost_b}
    if costs[partner.pk]:
        try:
            gem_wallet_debit(
                user=partner,
                amount=costs[partner.pk],
                reason=GemReason.MATCH_FILTER,
                reference=f"match:{match.pk}:{partner.public_id}",
            )
        except InsufficientGems:
            _close(match, MatchStatus.CANCELLED, now, extra_fields=(mine,))
            events.match_next_on_commit(match, [match.user_a, match.user_b], "insufficient_gems")
            return OUTCOME_NEXT
    if costs[decider.pk]:
        gem_wallet_debit(
            user=decider,
            amount=costs[decider.pk],
            reason=GemReason.MATCH_FILTER,
            reference=f"match:{match.pk}:{decider.public_id}",
        )
    User.objects.filter(pk__in=sorted(costs)).update(**_leave_queue_fields())
    _close(match, MatchStatus.MATCHED, now, extra_fields=(mine,))
    events.match_matched_on_commit(match)
    return OUTCOME_MATCHED


# --- leaving -------------------------------------------------------------------------------
def match_queue_leave(*, user) -> None:
    """Takes ``user`` off the queue and cancels their pending match (the partner gets
    ``match.next``). Idempotent. Used by ``POST /api/match/cancel/`` and by moderation."""
    _leave(user_id=user.pk)


@transaction.atomic
def _leave(*, user_id: int, idle_before: datetime | None = None) -> bool:
    """Leaves the queue and cancels the open match; with ``idle_before``, only if the user's last
    heartbeat is older and they are not deciding on a live match. Returns whether they left.

    The user row is updated before the open match is read: the update waits for a pairing that
    holds the row as its candidate, so a match made at that instant is seen and cancelled here.
    """
    now = timezone.now()
    users = User.objects.filter(pk=user_id)
    if idle_before is not None:
        users = (
            users.filter(is_matching=True)
            .filter(Q(matching_heartbeat_at__lt=idle_before) | Q(matching_heartbeat_at__isnull=True))
            .exclude(
                Exists(
                    MatchParticipant.objects.filter(
                        user_id=OuterRef("pk"),
                        is_open=True,
                        match__status=MatchStatus.PENDING,
                        match__expires_at__gt=now,
                    )
                )
            )
        )
    if not users.update(**_leave_queue_fields()):
        return False
    # Waits for a pairing attempt of this user that is under way.
    MatchSettings.objects.bulk_create([MatchSettings(user_id=user_id)], ignore_conflicts=True)
    list(MatchSettings.objects.select_for_update().filter(user_id=user_id).values_list("pk", flat=True))
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("user_a", "user_b")
        # ``status`` is re-checked on the locked row: a match a decision just closed is skipped.
        .filter(participants__user_id=user_id, participants__is_open=True, status=MatchStatus.PENDING)
        .first()
    )
    if match is not None:
        stale = match_is_stale(match, now)
        _close(match, MatchStatus.EXPIRED if stale else MatchStatus.CANCELLED, now)
        partner = match.user_b if match.user_a_id == user_id else match.user_a
        events.match_next_on_commit(match, [partner], "expired" if stale else "cancelled")
    return True


# --- blocks --------------------------------------------------------------------------------
@transaction.atomic
def match_block_pair(*, user, other) -> None:
    """The pair is never paired again, in either direction. Idempotent. A pending match between
    them is cancelled (both get ``match.next``). Moderation calls this when one reports the other."""
    if user.pk == other.pk:
        return
    low, high = sorted((user.pk, other.pk))
    MatchBlock.objects.bulk_create(
        [MatchBlock(user_low_id=low, user_high_id=high, created_by_id=user.pk)], ignore_conflicts=True
    )
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("user_a", "user_b")
        .filter(status=MatchStatus.PENDING)
        .filter(Q(user_a_id=low, user_b_id=high) | Q(user_a_id=high, user_b_id=low))
        .first()
    )
    if match is not None:
        now = timezone.now()
        stale = match_is_stale(match, now)
        _close(match, MatchStatus.EXPIRED if stale else MatchStatus.CANCELLED, now)
        events.match_next_on_commit(match, [match.user_a, match.user_b], "expired" if stale else "cancelled")


# --- periodic cleanup ----------------------------------------------------------------------
def match_expire_stale_matches() -> int:
    """Expires every pending match past its deadline, in batches; returns how many."""
    total = 0
    while True:
        with transaction.atomic():
            expired = _expire_stale(now=timezone.now())
        total += expired
        if expired < conf.expiry_batch_size():
            return total


def match_queue_drop_idle_users() -> int:
    """Takes users who left without cancelling (no heartbeat for the timeout) off the queue."""
    cutoff = timezone.now() - conf.queue_heartbeat_timeout()
    idle_ids = list(
        User.objects.filter(is_matching=True)
        .filter(Q(matching_heartbeat_at__lt=cutoff) | Q(matching_heartbeat_at__isnull=True))
        .exclude(
            Exists(
                MatchParticipant.objects.filter(
                    user_id=OuterRef("pk"), is_open=True, match__expires_at__gt=timezone.now()
                )
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for user_id in idle_ids if _leave(user_id=user_id, idle_before=cutoff))
