from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PreferredGender(models.TextChoices):
    MALE = "male", "male"
    FEMALE = "female", "female"
    ALL = "all", "all"


class MatchSettings(models.Model):
    """A user's random-match conditions (contract §3 defaults: all, [18, 100], anywhere).

    The row also serves as the per-user mutex of the matching use cases: queueing, pairing
    and leaving the queue all lock it first, so one user's requests run one at a time without
    ever locking the ``User`` row that other users' pairing transactions want to lock.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="match_settings"
    )
    preferred_gender = models.CharField(max_length=6, choices=PreferredGender.choices, default=PreferredGender.ALL)
    age_min = models.PositiveSmallIntegerField(default=18)
    age_max = models.PositiveSmallIntegerField(default=100)
    radius_km = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "match settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_gender__in=["male", "female", "all"]), name="matching_settings_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(age_min__gte=18, age_max__lte=100, age_min__lte=F("age_max")),
                name="matching_settings_age_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(radius_km__isnull=True) | Q(radius_km__gte=1, radius_km__lte=500),
                name="matching_settings_radius_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"settings of user {self.user_id}"


class MatchStatus(models.TextChoices):
    PENDING = "pending", "pending"
    MATCHED = "matched", "matched"
    REJECTED = "rejected", "rejected"
    EXPIRED = "expired", "expired"
    CANCELLED = "cancelled", "cancelled"


class Decision(models.TextChoices):
    ACCEPT = "accept", "accept"
    REJECT = "reject", "reject"


class Match(models.Model):
    """A proposed 1:1 pairing. ``user_a`` is the user whose request made the pair, ``user_b``
    the one who was waiting. Only ``pending`` is open; every other status is final."""

    user_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matches_as_a")
    user_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matches_as_b")
    status = models.CharField(max_length=9, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    decision_a = models.CharField(max_length=6, choices=Decision.choices, blank=True, default="")
    decision_b = models.CharField(max_length=6, choices=Decision.choices, blank=True, default="")
    # Gems each side pays when the match becomes matched: the filter cost of that side's
    # settings at pairing time (0 for an unfiltered request).
    filter_cost_a = models.PositiveIntegerField(default=0)
    filter_cost_b = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    matched_at = models.DateTimeField(null=True, blank=True)
    # When the match left ``pending`` (matched, rejected, expired or cancelled).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "matches"
        constraints = [
            models.CheckConstraint(condition=~Q(user_a=F("user_b")), name="matching_match_distinct_users"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "matched", "rejected", "expired", "cancelled"]),
                name="matching_match_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(decision_a__in=["", "accept", "reject"]) & Q(decision_b__in=["", "accept", "reject"]),
                name="matching_match_decisions_valid",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="matching_match_expiry_after_creation"
            ),
            models.CheckConstraint(
                condition=~Q(status="matched")
                | Q(decision_a="accept", decision_b="accept", matched_at__isnull=False),
                name="matching_match_matched_needs_both_accepts",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", closed_at__isnull=True)
                | (~Q(status="pending") & Q(closed_at__isnull=False)),
                name="matching_match_closed_at_iff_final",
            ),
        ]
        indexes = [
            # The expiry sweep: pending matches by deadline.
            models.Index(fields=["expires_at"], condition=Q(status="pending"), name="matching_match_pending_exp"),
            # The repeat cooldown: recent rejections of a pair.
            models.Index(
                fields=["user_a", "user_b", "closed_at"],
                condition=Q(status="rejected"),
                name="matching_match_rejected_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"match {self.pk} ({self.status})"


class MatchParticipant(models.Model):
    """One row per side of a match. ``is_open`` mirrors ``match.status == pending``; the partial
    unique constraint is what guarantees, under any concurrency, that a user is in at most
    one open match."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_participations")
    is_open = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="matching_participant_once_per_match"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_open=True), name="matching_one_open_match_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in match {self.match_id}"


class MatchBlock(models.Model):
    """A pair that is never offered to each other again, in either direction (a block or a
    report). Stored once per pair with the lower user pk first; ``created_by`` is who asked."""

    user_low = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_high = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_low", "user_high"], name="matching_block_pair_unique"),
            models.CheckConstraint(condition=Q(user_low__lt=F("user_high")), name="matching_block_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"block {self.user_low_id}-{self.user_high_id}"
