"""Reads of the ratings app: rating averages (used by matching) and the call history."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from calls.selectors import call_partner, calls_recent_for_user
from ratings.models import Rating, RatingSummary

_ONE_DECIMAL = Decimal("0.1")


def rating_average(*, rating_sum: int, rating_count: int) -> float | None:
    """The average rounded half-up to one decimal (4.25 → 4.3), or ``None`` with no ratings."""
    if rating_count == 0:
        return None
    return float((Decimal(rating_sum) / Decimal(rating_count)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def user_rating_averages(user_ids: list[int]) -> dict[int, float | None]:
    """Average received rating per user pk (1 decimal), ``None`` for a user never rated.

    Every requested pk is a key. One query whatever the number of users (none for an empty list).
    """
    averages: dict[int, float | None] = dict.fromkeys(user_ids)
    if not averages:
        return averages
    rows = RatingSummary.objects.filter(user_id__in=list(averages)).values_list(
        "user_id", "rating_sum", "rating_count"
    )
    for user_id, rating_sum, rating_count in rows:
        averages[user_id] = rating_average(rating_sum=rating_sum, rating_count=rating_count)
    return averages


@dataclass(frozen=True)
class CallHistoryItem:
    call_id: int
    call_session_id: uuid.UUID
    call_time: datetime
    partner: object
    duration_seconds: int | None
    ended_at: datetime | None
    my_rating: int | None


HISTORY_DAYS = 30
HISTORY_LIMIT = 50


def call_history_recent(*, user) -> list[CallHistoryItem]:
    """The user's calls of the last 30 days, newest first, at most 50, with the rating they gave.

    Two queries whatever the number of calls: the calls with both participants, then the caller's
    ratings of those calls.
    """
    calls = calls_recent_for_user(user=user, days=HISTORY_DAYS, limit=HISTORY_LIMIT)
    given: dict[int, int] = {}
    if calls:
        given = dict(
            Rating.objects.filter(rater=user, call_id__in=[call.pk for call in calls]).values_list("call_id", "score")
        )
    return [
        CallHistoryItem(
            call_id=call.pk,
            call_session_id=call.session_id,
            call_time=call.started_at,
            partner=call_partner(call=call, user=user),
            duration_seconds=call.duration_seconds,
            ended_at=call.ended_at,
            my_rating=given.get(call.pk),
        )
        for call in calls
    ]
