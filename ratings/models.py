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


class Rating(models.Model):
    """A participant's rating of the other participant of one call, at most once per call."""

    call = models.ForeignKey("calls.CallSession", on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings_given")
    rated = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings_received")
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "rater"], name="ratings_rating_once_per_call"),
            models.CheckConstraint(
                condition=Q(score__gte=RATING_MIN, score__lte=RATING_MAX), name="ratings_rating_score_range"
            ),
            models.CheckConstraint(condition=~Q(rater=F("rated")), name="ratings_rating_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.rater_id} rated {self.rated_id} {self.score} (call {self.call_id})"
