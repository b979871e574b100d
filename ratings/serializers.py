from rest_framework import serializers

from config.fields import StrictCharField, StrictIntegerField
from ratings.models import RATING_MAX, RATING_MIN


class CallHistoryItemSerializer(serializers.Serializer):
    username = serializers.CharField(source="partner.username", help_text="The other participant's username.")
    call_time = serializers.DateTimeField(help_text="When the call started.")
    call_id = serializers.IntegerField()
    user_id = serializers.UUIDField(source="partner.public_id", help_text="(ext) The other participant's id.")
    call_session_id = serializers.UUIDField(help_text="(ext)")
    duration_seconds = serializers.IntegerField(allow_null=True, help_text="(ext) Null while the call is open.")
    ended_at = serializers.DateTimeField(allow_null=True, help_text="(ext) Null while the call is open.")
    my_rating = serializers.IntegerField(allow_null=True, help_text="(ext) The rating you gave, null if none yet.")


class RatingInputSerializer(serializers.Serializer):
    call_id = StrictIntegerField(min_value=1, max_value=2**63 - 1)
    rating = StrictIntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    comment = StrictCharField(max_length=500, allow_blank=True, default="")
