import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from verification.storage import private_document_storage


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "pending"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"


class VerificationGender(models.TextChoices):
    MALE = "male", "male"
    FEMALE = "female", "female"


class DocumentContentType(models.TextChoices):
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    PDF = "application/pdf", "PDF"


def document_upload_path(instance: "VerificationDocument", filename: str) -> str:
    # ``filename`` is already random (chosen by the service, never the client's name).
    return f"verification/{timezone.now():%Y/%m}/{filename}"


class VerificationDocument(models.Model):
    """One uploaded proof (student card, certificate), readable only by its owner and staff."""

    document_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_documents"
    )
    file = models.FileField(upload_to=document_upload_path, storage=private_document_storage, max_length=255)
    content_type = models.CharField(max_length=32, choices=DocumentContentType.choices)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["owner", "uploaded_at"], name="verif_doc_owner_uploaded")]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=DocumentContentType.values), name="verif_doc_content_type_valid"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="verif_doc_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} ({self.content_type})"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[self.content_type]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Verification(models.Model):
    """A student's request to be verified, and the staff decision on it.

    A user has at most one pending-or-approved verification (a partial unique index); after a
    rejection they may submit again, so rejected rows accumulate as history.
    """

    verification_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications")
    status = models.CharField(max_length=8, choices=VerificationStatus.choices, default=VerificationStatus.PENDING)

    school_name = models.CharField(max_length=100)
    department = models.CharField(max_length=100)
    major_category = models.CharField(max_length=100)
    grade = models.CharField(max_length=20)
    student_id = models.CharField(max_length=50)
    gender = models.CharField(max_length=6, choices=VerificationGender.choices)
    documents = models.ManyToManyField(
        VerificationDocument, through="VerificationDocumentLink", related_name="verifications"
    )

    badge_visible = models.BooleanField(default=True)
    department_visible = models.BooleanField(default=True)

    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_verifications",
        limit_choices_to={"is_staff": True},
    )
    admin_note = models.CharField(max_length=1000, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="verif_status_submitted"),
            models.Index(fields=["user", "-submitted_at"], name="verif_user_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=[VerificationStatus.PENDING, VerificationStatus.APPROVED]),
                name="verif_one_open_per_user",
            ),
            models.CheckConstraint(condition=Q(status__in=VerificationStatus.values), name="verif_status_valid"),
            models.CheckConstraint(condition=Q(gender__in=VerificationGender.values), name="verif_gender_valid"),
            # A pending request carries no decision; a decided one records when; only approval verifies.
            models.CheckConstraint(
                condition=(
                    Q(status=VerificationStatus.PENDING, reviewed_at__isnull=True, verified_at__isnull=True)
                    | Q(status=VerificationStatus.APPROVED, reviewed_at__isnull=False, verified_at__isnull=False)
                    | Q(status=VerificationStatus.REJECTED, reviewed_at__isnull=False, verified_at__isnull=True)
                ),
                name="verif_decision_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_name} {self.department} ({self.status})"


class VerificationDocumentLink(models.Model):
    """Which documents a verification was submitted with, in the order the user listed them."""

    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey(VerificationDocument, on_delete=models.PROTECT, related_name="links")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["verification", "document"], name="verif_doclink_unique_document"),
            models.UniqueConstraint(fields=["verification", "position"], name="verif_doclink_unique_position"),
        ]


class PendingVerification(Verification):
    """The reviewers' queue in the Django admin: pending verifications, oldest first."""

    class Meta:
        proxy = True
        verbose_name = "pending verification"
        verbose_name_plural = "pending verifications (review queue)"
