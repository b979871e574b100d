"""Reads of the ratings app that other apps use."""

from decimal import ROUND_HALF_UP, Decimal

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
