from django.conf import settings
from django.db import models
from django.db.models import F, Q

RATING_MIN = 1
RATING_MAX = 5


class RatingSummary(models.Model):
    """The running totals of the ratings a user has received (the partner ``rating`` shown in matching).

    Written only by ``ratings.services`` with ``F()`` updates in the same transaction as the rating
    row, so count and sum always equal the ratings table, under any concurrency.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="rating_summary"
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "rating summaries"
        constraints = [
            # Every rating is 1-5, so the sum stays between count×1 and count×5.
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count") * RATING_MIN)
                & Q(rating_sum__lte=F("rating_count") * RATING_MAX),
                name="ratings_summary_sum_within_count_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.rating_sum}/{self.rating_count}"
