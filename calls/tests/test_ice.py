import base64
import hashlib
import hmac

from calls.ice import ice_servers_for, turn_rest_credentials

PUBLIC_ID = "3f0c1c9e-8d5e-4c59-9a53-0a5b8d4f2e11"


def test_turn_rest_credentials_follow_the_coturn_convention():
    credentials = turn_rest_credentials(secret="north-sea", user_id=PUBLIC_ID, ttl_seconds=600, now=1_700_000_000)

    assert credentials["username"] == f"1700000600:{PUBLIC_ID}"
    # Computed outside Python: printf %s "1700000600:<id>" | openssl dgst -sha1 -hmac north-sea -binary | base64
    assert credentials["credential"] == "bVk8hgo+/4/ZMUV88ZND4jLvndw="
    expected = base64.b64encode(
        hmac.new(b"north-sea", f"1700000600:{PUBLIC_ID}".encode(), hashlib.sha1).digest()
    ).decode()
    assert credentials["credential"] == expected


def test_ice_servers_with_a_secret_carry_time_limited_turn_credentials(settings, time_machine):
    time_machine.move_to("2025-12-12T13:34:54Z", tick=False)
    settings.CALL_STUN_URLS = ["stun:stun.example.org:3478"]
    settings.CALL_TURN_URLS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
    settings.CALL_TURN_SECRET = "s3cr3t"
    settings.CALL_TURN_CREDENTIAL_TTL_SECONDS = 3600

    servers = ice_servers_for(user_public_id=PUBLIC_ID)

    username = f"{1765546494 + 3600}:{PUBLIC_ID}"
    assert servers == [
        {"urls": ["stun:stun.example.org:3478"]},
        {
            "urls": ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"],
            "username": username,
            "credential": base64.b64encode(hmac.new(b"s3cr3t", username.encode(), hashlib.sha1).digest()).decode(),
        },
    ]


def test_without_a_secret_turn_uses_the_static_credentials(settings):
    settings.CALL_STUN_URLS = []
    settings.CALL_TURN_URLS = ["turn:turn.example.org:3478"]
    settings.CALL_TURN_SECRET = ""
    settings.CALL_TURN_USERNAME = "app"
    settings.CALL_TURN_PASSWORD = "fixed"

    assert ice_servers_for(user_public_id=PUBLIC_ID) == [
        {"urls": ["turn:turn.example.org:3478"], "username": "app", "credential": "fixed"}
    ]


def test_defaults_give_public_stun_only(settings):
    for name in ("CALL_STUN_URLS", "CALL_TURN_URLS", "CALL_TURN_SECRET"):
        if hasattr(settings, name):
            delattr(settings, name)

    assert ice_servers_for(user_public_id=PUBLIC_ID) == [{"urls": ["stun:stun.l.google.com:19302"]}]
