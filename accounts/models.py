import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


def profile_image_path(instance: "User", filename: str) -> str:
    # Random names: the upload's own name is never trusted or exposed.
    return f"profiles/{uuid.uuid4().hex}{filename[filename.rfind('.'):] if '.' in filename else ''}"


class Gender(models.TextChoices):
    MALE = "male", "male"
    FEMALE = "female", "female"


class User(AbstractUser):
    """One account for both products. ``public_id`` is the id every API and socket shows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Null only for staff accounts made with createsuperuser; signup always sets both.
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=6, choices=Gender.choices, blank=True)
    profile_image = models.ImageField(upload_to=profile_image_path, blank=True)

    # Random-matching state, written by the matching app's services.
    is_matching = models.BooleanField(default=False)
    matching_since = models.DateTimeField(null=True, blank=True)
    matching_heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_lat = models.FloatField(null=True, blank=True)
    last_lng = models.FloatField(null=True, blank=True)
    location_updated_at = models.DateTimeField(null=True, blank=True)

    # Sanctions, written by the moderation app's services.
    warning_count = models.PositiveIntegerField(default=0)
    suspended_until = models.DateTimeField(null=True, blank=True)
    is_banned = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__gte=18, age__lte=100), name="accounts_user_adult_age"
            ),
            models.CheckConstraint(condition=Q(gender__in=["", "male", "female"]), name="accounts_user_gender_valid"),
            models.CheckConstraint(
                condition=Q(last_lat__isnull=True) | Q(last_lat__gte=-90, last_lat__lte=90),
                name="accounts_user_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(last_lng__isnull=True) | Q(last_lng__gte=-180, last_lng__lte=180),
                name="accounts_user_lng_range",
            ),
        ]
        indexes = [
            # The random-match queue (matching.selectors.match_candidates): only queued users are
            # indexed. Longest-waiting first; a bounding box on the location; the idle sweep.
            models.Index(
                fields=["matching_since", "id"], condition=Q(is_matching=True), name="accounts_user_queue_order"
            ),
            models.Index(
                fields=["last_lat", "last_lng"], condition=Q(is_matching=True), name="accounts_user_queue_geo"
            ),
            models.Index(
                fields=["matching_heartbeat_at"], condition=Q(is_matching=True), name="accounts_user_queue_heartbeat"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()
