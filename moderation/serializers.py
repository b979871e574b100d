from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.fields import StrictUUIDField
from config.pagination import PageQuerySerializer
from moderation.models import (
    DETAILS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ReportStatus,
    ReportType,
    ResolveAction,
)
from moderation.selectors import STATUS_FILTERS, TYPE_FILTERS


class ReportCreateInputSerializer(serializers.Serializer):
    reported_user_id = StrictUUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for `user` reports; optional for `message` reports (the sender is reported), "
        "since blind rooms do not show the other group's ids.",
    )
    report_type = serializers.ChoiceField(choices=ReportType.choices)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    details = serializers.CharField(max_length=DETAILS_MAX_LENGTH, required=False, allow_blank=True, default="")
    message_id = StrictUUIDField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["report_type"] == ReportType.MESSAGE and attrs["message_id"] is None:
            raise serializers.ValidationError({"message_id": [_("A message report needs message_id.")]})
        if attrs["report_type"] == ReportType.USER and attrs["reported_user_id"] is None:
            raise serializers.ValidationError({"reported_user_id": [_("This field is required.")]})
        return attrs


class ReportCreatedSerializer(serializers.Serializer):
    report_id = serializers.UUIDField(source="id")
    # A constant, documented as a plain string: an enum here would collide in the schema with
    # other apps' ``status`` enums of the same values.
    status = serializers.CharField(help_text="always `pending`")


class ReportListQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=STATUS_FILTERS, default=ReportStatus.PENDING)
    type = serializers.ChoiceField(choices=TYPE_FILTERS, default="all")


class EvidenceSerializer(serializers.Serializer):
    message_id = serializers.UUIDField()
    content = serializers.CharField(allow_blank=True)
    message_type = serializers.CharField()
    sender_user_id = serializers.UUIDField()
    room_id = serializers.UUIDField()
    created_at = serializers.DateTimeField()


class ReportOutputSerializer(serializers.Serializer):
    report_id = serializers.UUIDField(source="id")
    reporter_id = serializers.UUIDField(source="reporter.public_id")
    reported_user_id = serializers.UUIDField(source="reported_user.public_id")
    report_type = serializers.ChoiceField(choices=ReportType.choices)
    reason = serializers.CharField()
    details = serializers.CharField(allow_blank=True)
    evidence = EvidenceSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    created_at = serializers.DateTimeField()
    action_taken = serializers.SerializerMethodField()
    resolution_note = serializers.CharField(allow_blank=True)
    resolved_by_id = serializers.SerializerMethodField()
    resolved_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="dismiss | warn | suspend | ban"))
    def get_action_taken(self, report) -> str | None:
        return report.action_taken or None

    def get_resolved_by_id(self, report) -> str | None:
        return str(report.resolved_by.public_id) if report.resolved_by is not None else None


class ReportListSerializer(serializers.Serializer):
    reports = ReportOutputSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    total_pages = serializers.IntegerField()


class ReportResolveInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ResolveAction.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReportResolvedSerializer(serializers.Serializer):
    report_id = serializers.UUIDField(source="id")
    status = serializers.CharField(help_text="always `resolved`")
    # Plain strings (the request's ``action`` enum documents the values), so the schema names
    # that choice set once.
    action_taken = serializers.CharField(help_text="dismiss | warn | suspend | ban")
    resolved_at = serializers.DateTimeField()
