import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import StrictIntegerField
from matching.models import Decision, PreferredGender

MAX_MATCH_ID = 2**63 - 1


class MatchMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class MatchSettingsSerializer(serializers.Serializer):
    preferred_gender = serializers.ChoiceField(choices=PreferredGender.choices)
    age_range = serializers.ListField(
        child=StrictIntegerField(min_value=18, max_value=100), min_length=2, max_length=2
    )
    radius_km = StrictIntegerField(min_value=1, max_value=500, allow_null=True, required=False, default=None)

    def validate_age_range(self, value: list[int]) -> list[int]:
        if value[0] > value[1]:
            raise serializers.ValidationError(_("The minimum age must not exceed the maximum."))
        return value


class FiniteFloatField(serializers.FloatField):
    """Refuses ``nan`` and ``inf``, which compare oddly and would slip past min/max checks."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class RandomMatchQuerySerializer(serializers.Serializer):
    lat = FiniteFloatField(min_value=-90, max_value=90, required=False)
    lng = FiniteFloatField(min_value=-180, max_value=180, required=False)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lng" in attrs):
            raise serializers.ValidationError({"lat" if "lat" not in attrs else "lng": [_("Send lat and lng together.")]})
        return attrs


class MatchedUserSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    age = serializers.IntegerField()
    gender = serializers.CharField()
    profile_image = serializers.CharField(allow_null=True)
    rating = serializers.FloatField(allow_null=True)


class RandomMatchOutputSerializer(serializers.Serializer):
    match_id = serializers.IntegerField(allow_null=True)
    matched_user = MatchedUserSerializer(allow_null=True)
    show_time_sec = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "waiting"])
    expires_at = serializers.DateTimeField(required=False)


class DecisionInputSerializer(serializers.Serializer):
    match_id = StrictIntegerField(min_value=1, max_value=MAX_MATCH_ID)
    decision = serializers.ChoiceField(choices=Decision.choices)


class DecisionOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["waiting", "matched", "next"])
