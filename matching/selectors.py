"""Reads of the matching app: for its own views and services, and for other apps."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.selectors import profile_image_url
from config.responses import utc_timestamp
from gems.selectors import gem_wallets_with_at_least
from matching import conf
from matching.geo import bounding_box_q, distance_km_expression
from matching.models import Match, MatchBlock, MatchParticipant, MatchSettings, MatchStatus, PreferredGender
from ratings.selectors import user_rating_averages

User = get_user_model()

# The widest radius a user may set (contract §3); bounds the box for candidates' own radii.
MAX_RADIUS_KM = 500
DEFAULT_AGE_RANGE = (18, 100)


def match_get_matched_for_participant(*, user, match_id: int) -> Match | None:
    """The match if ``user`` is one of its two participants and it is ``matched``, else None."""
    return (
        Match.objects.filter(pk=match_id, status=MatchStatus.MATCHED)
        .filter(Q(user_a_id=user.pk) | Q(user_b_id=user.pk))
        .select_related("user_a", "user_b")
        .first()
    )


def match_partner(*, match: Match, user):
    """The other participant of ``match``. Raises ValueError when ``user`` is not in it."""
    if match.user_a_id == user.pk:
        return match.user_b
    if match.user_b_id == user.pk:
        return match.user_a
    raise ValueError("user is not a participant of this match")


def match_is_stale(match: Match, now: datetime | None = None) -> bool:
    """A pending match past its deadline is expired, whether or not a job has marked it yet."""
    return match.status == MatchStatus.PENDING and match.expires_at <= (now or timezone.now())


def match_effective_status(match: Match, now: datetime | None = None) -> str:
    return MatchStatus.EXPIRED if match_is_stale(match, now) else match.status


def match_open_for_user(*, user, now: datetime | None = None) -> Match | None:
    """The user's pending match that has not reached its deadline, with both users loaded."""
    return (
        Match.objects.filter(
            participants__user_id=user.pk,
            participants__is_open=True,
            status=MatchStatus.PENDING,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("user_a", "user_b")
        .first()
    )


def match_pair_is_blocked(*, user, other) -> bool:
    """Whether either user blocked or reported the other (then they are never paired)."""
    low, high = sorted((user.pk, other.pk))
    return MatchBlock.objects.filter(user_low_id=low, user_high_id=high).exists()


def match_settings_for(*, user) -> MatchSettings:
    """The user's settings, or the unsaved contract defaults when they never saved any."""
    return MatchSettings.objects.filter(user_id=user.pk).first() or MatchSettings(user_id=user.pk)


def match_settings_are_filtered(settings_row: MatchSettings) -> bool:
    """A request narrowing the field (gender, a narrower age range, or a radius) costs gems."""
    return (
        settings_row.preferred_gender != PreferredGender.ALL
        or (settings_row.age_min, settings_row.age_max) != DEFAULT_AGE_RANGE
        or settings_row.radius_km is not None
    )


def match_filter_cost(settings_row: MatchSettings) -> int:
    return conf.filter_gem_cost() if match_settings_are_filtered(settings_row) else 0


def _filtered_settings_q(prefix: str) -> Q:
    return (
        Q(**{f"{prefix}preferred_gender__in": [PreferredGender.MALE, PreferredGender.FEMALE]})
        | Q(**{f"{prefix}age_min__gt": DEFAULT_AGE_RANGE[0]})
        | Q(**{f"{prefix}age_max__lt": DEFAULT_AGE_RANGE[1]})
        | Q(**{f"{prefix}radius_km__isnull": False})
    )


def match_candidates(*, user, settings_row: MatchSettings, now: datetime) -> QuerySet:
    """Queued users ``user`` may be paired with, longest-waiting first.

    Symmetric: each satisfies the other's gender, age and radius; neither is sanctioned; no block
    either way; no rejection between them within the cooldown; the candidate is in no open match,
    is still sending heartbeats, and can pay for their own filters. Radius: an indexed bounding
    box first, then the great-circle distance.
    """
    candidates = (
        User.objects.filter(is_matching=True, is_active=True, is_banned=False)
        .exclude(pk=user.pk)
        .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=now))
        .filter(matching_heartbeat_at__gte=now - conf.queue_heartbeat_timeout())
        # My conditions on them.
        .filter(age__gte=settings_row.age_min, age__lte=settings_row.age_max)
        # Their conditions on me (every queued user has a settings row: joining creates it).
        .filter(
            match_settings__preferred_gender__in=[user.gender, PreferredGender.ALL],
            match_settings__age_min__lte=user.age,
            match_settings__age_max__gte=user.age,
        )
    )
    if settings_row.preferred_gender != PreferredGender.ALL:
        candidates = candidates.filter(gender=settings_row.preferred_gender)

    has_location = user.last_lat is not None and user.last_lng is not None
    if settings_row.radius_km is not None:
        # The caller checked that a location is known.
        distance = distance_km_expression(user.last_lat, user.last_lng)
        candidates = (
            candidates.filter(bounding_box_q(user.last_lat, user.last_lng, settings_row.radius_km))
            .alias(distance_km=distance)
            .filter(distance_km__lte=settings_row.radius_km)
            .filter(Q(match_settings__radius_km__isnull=True) | Q(match_settings__radius_km__gte=F("distance_km")))
        )
    elif has_location:
        distance = distance_km_expression(user.last_lat, user.last_lng)
        candidates = candidates.alias(distance_km=distance).filter(
            Q(match_settings__radius_km__isnull=True)
            | (
                bounding_box_q(user.last_lat, user.last_lng, MAX_RADIUS_KM)
                & Q(match_settings__radius_km__gte=F("distance_km"))
            )
        )
    else:
        candidates = candidates.filter(match_settings__radius_km__isnull=True)

    cooldown_start = now - conf.repeat_cooldown()
    candidates = candidates.exclude(
        Exists(MatchParticipant.objects.filter(user_id=OuterRef("pk"), is_open=True))
    ).exclude(
        Exists(
            MatchBlock.objects.filter(
                Q(user_low_id=user.pk, user_high_id=OuterRef("pk"))
                | Q(user_low_id=OuterRef("pk"), user_high_id=user.pk)
            )
        )
    ).exclude(
        Exists(
            Match.objects.filter(status=MatchStatus.REJECTED, closed_at__gte=cooldown_start).filter(
                Q(user_a_id=user.pk, user_b_id=OuterRef("pk")) | Q(user_a_id=OuterRef("pk"), user_b_id=user.pk)
            )
        )
    )
    cost = conf.filter_gem_cost()
    if cost > 0:
        candidates = candidates.exclude(
            _filtered_settings_q("match_settings__")
            & ~Exists(gem_wallets_with_at_least(amount=cost).filter(user_id=OuterRef("pk")))
        )
    return candidates.order_by("matching_since", "pk")


def _matched_user_payload(partner, rating: float | None, absolute_url: Callable[[str], str] | None) -> dict:
    image = profile_image_url(partner)
    if image and absolute_url is not None:
        image = absolute_url(image)
    return {
        "user_id": str(partner.public_id),
        "username": partner.username,
        "age": partner.age,
        "gender": partner.gender,
        "profile_image": image,
        "rating": rating,
    }


def match_offer_payloads(*, match: Match, absolute_url: Callable[[str], str] | None = None) -> dict[int, dict]:
    """The pending-match body (``GET /api/match/random/`` and ``match.found``) for each
    participant, keyed by user pk: each sees the other. One query (the ratings)."""
    ratings = user_rating_averages([match.user_a_id, match.user_b_id])
    common = {
        "match_id": match.pk,
        "show_time_sec": int((match.expires_at - match.created_at).total_seconds()),
        "status": MatchStatus.PENDING.value,
        "expires_at": utc_timestamp(match.expires_at),
    }
    return {
        viewer.pk: {**common, "matched_user": _matched_user_payload(partner, ratings[partner.pk], absolute_url)}
        for viewer, partner in ((match.user_a, match.user_b), (match.user_b, match.user_a))
    }


def match_waiting_payload() -> dict:
    return {"match_id": None, "matched_user": None, "show_time_sec": 0, "status": "waiting"}
