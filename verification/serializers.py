from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import StrictBooleanField, StrictCharField
from verification import conf
from verification.models import VerificationGender, VerificationStatus
from verification.services import DOCUMENT_URL_NAME


def document_url(document_id, request) -> str:
    path = reverse(DOCUMENT_URL_NAME, kwargs={"document_id": document_id})
    return request.build_absolute_uri(path) if request is not None else path


def verification_document_urls(verification, request) -> list[str]:
    # ``document_links`` is prefetched in position order by the selectors.
    return [document_url(link.document_id, request) for link in verification.document_links.all()]


class UploadInputSerializer(serializers.Serializer):
    """For the schema only: the view reads the files through size-limiting upload handlers."""

    files = serializers.ListField(
        child=serializers.FileField(), min_length=1, max_length=conf.MAX_FILES,
        help_text="1-5 files, each at most 10 MB, JPG/PNG/PDF (judged by content).",
    )


class UploadOutputSerializer(serializers.Serializer):
    uploaded_files = serializers.ListField(
        child=serializers.URLField(), help_text="Authenticated URLs: only the owner and staff can fetch them."
    )
    count = serializers.IntegerField()


class SubmitInputSerializer(serializers.Serializer):
    school_name = StrictCharField(max_length=100)
    department = StrictCharField(max_length=100)
    major_category = StrictCharField(max_length=100)
    grade = StrictCharField(max_length=20)
    student_id = StrictCharField(max_length=50)
    gender = serializers.ChoiceField(choices=VerificationGender.choices)
    documents = serializers.ListField(
        child=StrictCharField(max_length=2048),
        allow_empty=True,
        max_length=50,
        help_text="1-5 URLs returned by POST /api/v1/verification/upload for this user (else INVALID_DOCUMENT).",
    )


class SubmitOutputSerializer(serializers.Serializer):
    verification_id = serializers.UUIDField()
    # Not an enum in the schema: a one-value "pending" set would collide with other apps' enums.
    status = serializers.CharField(help_text="Always `pending` for a new submission.")
    submitted_at = serializers.DateTimeField()
    message = serializers.CharField()


class StatusOutputSerializer(serializers.Serializer):
    """The owner's own latest verification; every field is null when there is none."""

    verification_id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=VerificationStatus.choices, allow_null=True)
    school_name = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    major_category = serializers.CharField(allow_null=True)
    grade = serializers.CharField(allow_null=True)
    gender = serializers.ChoiceField(choices=VerificationGender.choices, allow_null=True)
    badge_visible = serializers.BooleanField(allow_null=True)
    department_visible = serializers.BooleanField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="(ext)")
    student_id = serializers.CharField(allow_null=True, help_text="(ext) shown to the owner only")
    documents = serializers.SerializerMethodField(help_text="(ext) document URLs, shown to the owner only")
    admin_note = serializers.SerializerMethodField(help_text="(ext) the reviewer's note, once reviewed")

    @classmethod
    def empty(cls) -> dict:
        return dict.fromkeys(cls().fields)

    def get_documents(self, verification) -> list[str] | None:
        return verification_document_urls(verification, self.context.get("request"))

    def get_admin_note(self, verification) -> str | None:
        return verification.admin_note if verification.reviewed_at else None


class SettingsInputSerializer(serializers.Serializer):
    badge_visible = StrictBooleanField(required=False)
    department_visible = StrictBooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Send badge_visible and/or department_visible."))
        return attrs


class SettingsOutputSerializer(serializers.Serializer):
    badge_visible = serializers.BooleanField()
    department_visible = serializers.BooleanField()
    message = serializers.CharField()


class PendingVerificationSerializer(serializers.Serializer):
    verification_id = serializers.UUIDField()
    user_id = serializers.UUIDField(source="user.public_id")
    user_name = serializers.CharField(source="user.username")
    school_name = serializers.CharField()
    department = serializers.CharField()
    major_category = serializers.CharField(help_text="(ext)")
    grade = serializers.CharField()
    student_id = serializers.CharField(help_text="(ext) staff only")
    gender = serializers.ChoiceField(choices=VerificationGender.choices)
    documents = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()

    def get_documents(self, verification) -> list[str]:
        return verification_document_urls(verification, self.context.get("request"))


class PendingListSerializer(serializers.Serializer):
    verifications = PendingVerificationSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    total_pages = serializers.IntegerField()


class ReviewInputSerializer(serializers.Serializer):
    approved = StrictBooleanField()
    admin_note = StrictCharField(max_length=1000, allow_blank=True, required=False, default="")


class ReviewOutputSerializer(serializers.Serializer):
    verification_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=[VerificationStatus.APPROVED, VerificationStatus.REJECTED])
    verified_at = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField()
