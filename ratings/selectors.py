"""Reads of the ratings app: rating averages (used by matching) and the call history."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DateTimeField, FilteredRelation, IntegerField, Q
from django.utils import timezone

from calls.selectors import calls_since
from config.db import Param, PreparedQuery
from config.responses import iso_datetime
from ratings.models import RatingSummary

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


HISTORY_DAYS = 30
HISTORY_LIMIT = 50


def _history_queryset():
    user = Param("user", IntegerField())
    return (
        calls_since(user=user, since=Param("since", DateTimeField()))
        .annotate(given=FilteredRelation("ratings", condition=Q(ratings__rater=user)))
        .values_list(
            "id", "session_id", "started_at", "duration_seconds", "ended_at", "caller_id", "given__score",
            "caller__username", "caller__public_id", "callee__username", "callee__public_id",
        )[:HISTORY_LIMIT]
    )


_history_query = PreparedQuery(_history_queryset, uuids_as_text=True)


def call_history_recent(*, user) -> list[dict]:
    """The user's calls of the last 30 days, newest first, at most 50, with the rating they gave,
    as the response body's items (``CallHistoryItemSerializer`` documents them; a test holds the
    two equal).

    One prepared query (``config.db``) whatever the number of calls: the calls with both
    participants' public fields and the user's rating joined in. Plain rows and dicts because
    this list is a hot path: building the queryset, model instances for a call and two users per
    row, and a serializer per row each cost more than running the query.
    """
    rows = _history_query.rows(user=user.pk, since=timezone.now() - timedelta(days=HISTORY_DAYS))
    history = []
    for (
        call_id, session_id, started_at, duration_seconds, ended_at, caller_id, my_rating,
        caller_username, caller_public_id, callee_username, callee_public_id,
    ) in rows:
        i_called = caller_id == user.pk
        history.append({
            "username": callee_username if i_called else caller_username,
            "call_time": iso_datetime(started_at),
            "call_id": call_id,
            "user_id": callee_public_id if i_called else caller_public_id,
            "call_session_id": session_id,
            "duration_seconds": duration_seconds,
            "ended_at": iso_datetime(ended_at),
            "my_rating": my_rating,
        })
    return history
