from rest_framework import serializers

from config.fields import StrictIntegerField, StrictUUIDField


class CallStartInputSerializer(serializers.Serializer):
    match_id = StrictIntegerField(min_value=1, max_value=2**63 - 1)


class IceServerSerializer(serializers.Serializer):
    urls = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(required=False, help_text="TURN only: `<expiry unix time>:<user_id>`.")
    credential = serializers.CharField(required=False, help_text="TURN only: base64(HMAC-SHA1(secret, username)).")


class CallStartOutputSerializer(serializers.Serializer):
    call_session_id = serializers.UUIDField()
    call_id = serializers.IntegerField(help_text="(ext) The id history and ratings use.")
    ice_servers = serializers.ListField(
        child=IceServerSerializer(), help_text="(ext) `RTCIceServer` entries for `RTCPeerConnection`."
    )


class CallEndInputSerializer(serializers.Serializer):
    call_session_id = StrictUUIDField()
