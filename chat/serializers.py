"""Request validation and response shapes. Output serializers read facts from ``chat.selectors``
and a ``viewer`` (``chat.selectors.Viewer``) in their context, which decides whose identity shows.
Message pages and the chat consumer's message frames are built by ``message_output``, a plain-dict
twin of ``ChatMessageOutputSerializer`` that the tests hold equal to it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.conf import MESSAGE_MAX_CHARS, MESSAGES_PAGE_DEFAULT, MESSAGES_PAGE_MAX
from chat.models import MessageType
from config.fields import StrictCharField, StrictUUIDField

# --- requests -------------------------------------------------------------------------------


class ChatRoomListQuerySerializer(serializers.Serializer):
    is_active = serializers.ChoiceField(choices=["true", "false", "all"], default="true")

    def to_filter(self) -> bool | None:
        return {"true": True, "false": False, "all": None}[self.validated_data["is_active"]]


class ChatMessagesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MESSAGES_PAGE_MAX, default=MESSAGES_PAGE_DEFAULT)
    before = StrictUUIDField(required=False, help_text="A message_id: return messages older than it.")


class ChatMessageSendInputSerializer(serializers.Serializer):
    message_type = serializers.ChoiceField(
        choices=MessageType.choices,
        default=MessageType.TEXT.value,
        help_text="`text` or `image`; `system` messages are written by the server only and are refused.",
    )
    content = StrictCharField(max_length=MESSAGE_MAX_CHARS, allow_blank=True, default="")
    attachments = serializers.ListField(
        child=StrictUUIDField(),
        default=list,
        max_length=20,
        help_text="attachment_ids from POST .../attachments (1-5 for `image`, none for `text`).",
    )


    def validate_message_type(self, value: str) -> str:
        if value == MessageType.SYSTEM:
            raise serializers.ValidationError(_("System messages are written by the server only."))
        return value


def text_message_fields(payload: dict) -> dict | None:
    """What ``ChatMessageSendInputSerializer`` validates a plain text message to, without building
    the serializer (a field copy per call, most of a socket frame's checks); ``None`` for anything
    else, which the serializer then decides, errors included. chat/tests/test_text_fast_path.py
    holds the two equal on generated payloads."""
    content = payload.get("content", "")
    if (
        payload.get("message_type", MessageType.TEXT.value) != MessageType.TEXT.value
        or ("attachments" in payload and payload["attachments"] != [])
        or type(content) is not str
    ):
        return None
    # As DRF's CharField: whitespace trimmed, then no NUL, no lone surrogate (not encodable), the length.
    content = content.strip()
    if len(content) > MESSAGE_MAX_CHARS or "\x00" in content:
        return None
    try:
        content.encode()
    except UnicodeEncodeError:
        return None
    return {"message_type": MessageType.TEXT.value, "content": content, "attachments": []}


class ChatReadInputSerializer(serializers.Serializer):
    last_read_message_id = StrictUUIDField()


class ChatAttachmentUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP image, at most 10 MB (judged by content).")


# --- responses ------------------------------------------------------------------------------

class ViewerAwareSerializer(serializers.Serializer):
    @property
    def viewer(self):
        return self.context["viewer"]

    def visible_user_id(self, person: dict | None) -> str | None:
        if person is None or not self.viewer.sees_user_id_of(person["group"]):
            return None
        return person["user_id"]


class ChatAttachmentOutputSerializer(serializers.Serializer):
    attachment_id = serializers.UUIDField()
    url = serializers.CharField(help_text="Path on the API host; GET it with the Bearer token (members only).")
    content_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    size = serializers.IntegerField()


class ChatMessageOutputSerializer(ViewerAwareSerializer):
    message_id = serializers.UUIDField()
    sender_id = serializers.SerializerMethodField(
        help_text="The sender's user_id; null for system messages and, in blind rooms, for the other group."
    )
    sender_name = serializers.SerializerMethodField(help_text="The sender's display name (A1, B2...); null for system.")
    message_type = serializers.ChoiceField(choices=MessageType.choices)
    content = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = ChatAttachmentOutputSerializer(many=True)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_sender_id(self, fact) -> str | None:
        return self.visible_user_id(fact["sender"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sender_name(self, fact) -> str | None:
        return fact["sender"]["display_name"] if fact["sender"] is not None else None


class ChatMessagesPageOutputSerializer(serializers.Serializer):
    messages = ChatMessageOutputSerializer(many=True)
    has_more = serializers.BooleanField()
    next_cursor = serializers.UUIDField(allow_null=True)


# Hot paths (message pages, socket frames) build these plain dicts instead of running the
# serializers above per row; the serializers stay the schema, and chat/tests/test_plain_payloads.py
# holds both outputs equal.

def message_output(viewer, fact: dict) -> dict:
    """What :class:`ChatMessageOutputSerializer` writes for a message fact, for this viewer."""
    sender = fact["sender"]
    return {
        "message_id": fact["message_id"],
        "sender_id": sender["user_id"] if sender is not None and viewer.sees_user_id_of(sender["group"]) else None,
        "sender_name": sender["display_name"] if sender is not None else None,
        "message_type": fact["message_type"],
        "content": fact["content"],
        "created_at": fact["created_at"],
        # Attachment facts have the output's keys and types already.
        "attachments": fact["attachments"],
    }


def messages_page_output(viewer, page) -> dict:
    """What :class:`ChatMessagesPageOutputSerializer` writes for a ``chat.selectors.MessagesPage``."""
    return {
        "messages": [message_output(viewer, fact) for fact in page.messages],
        "has_more": page.has_more,
        "next_cursor": page.next_cursor,
    }


class ChatLastMessageOutputSerializer(serializers.Serializer):
    message_id = serializers.UUIDField()
    content = serializers.CharField()
    sender_name = serializers.CharField(allow_null=True)
    message_type = serializers.ChoiceField(choices=MessageType.choices)
    created_at = serializers.DateTimeField()


class ChatRoomListItemOutputSerializer(serializers.Serializer):
    room_id = serializers.UUIDField()
    room_name = serializers.CharField()
    display_mode = serializers.ChoiceField(choices=["blind", "open"])
    is_active = serializers.BooleanField()
    members_count = serializers.IntegerField(help_text="Members who have not left.")
    unread_count = serializers.IntegerField(help_text="Others' messages (system included) after your read cursor.")
    last_message = ChatLastMessageOutputSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class ChatRoomListOutputSerializer(serializers.Serializer):
    chat_rooms = ChatRoomListItemOutputSerializer(many=True)
    total = serializers.IntegerField()


class ChatRoomMemberOutputSerializer(ViewerAwareSerializer):
    user_id = serializers.SerializerMethodField(help_text="null for the other group in blind rooms.")
    display_name = serializers.CharField(source="person.display_name")
    username = serializers.SerializerMethodField(help_text="Open rooms only; null in blind rooms.")
    is_me = serializers.BooleanField()
    has_left = serializers.BooleanField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_user_id(self, seat) -> str | None:
        return self.visible_user_id(seat["person"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_username(self, seat) -> str | None:
        return seat["person"]["username"] if self.viewer.sees_usernames else None


class ChatRoomGroupOutputSerializer(serializers.Serializer):
    department = serializers.CharField()
    grade = serializers.CharField()
    members = ChatRoomMemberOutputSerializer(many=True)


class ChatRoomDetailOutputSerializer(serializers.Serializer):
    room_id = serializers.UUIDField()
    room_name = serializers.CharField()
    display_mode = serializers.ChoiceField(choices=["blind", "open"])
    is_active = serializers.BooleanField()
    my_display_name = serializers.CharField()
    group_a = ChatRoomGroupOutputSerializer()
    group_b = ChatRoomGroupOutputSerializer()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class ChatReadOutputSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()
    last_read_at = serializers.DateTimeField(allow_null=True)


class ChatLeaveOutputSerializer(serializers.Serializer):
    message = serializers.CharField()


# --- socket frames (server → client) ----------------------------------------------------------

def room_event_frame(viewer, event: dict) -> dict | None:
    """The frame one member's socket sends for a room event (``chat.events``), or None to skip it.

    Typing and read receipts are not sent back to the member who caused them.
    """
    context = {"viewer": viewer}
    kind = event["type"]
    if kind == "chat.message":
        return {"type": "message", **message_output(viewer, event["message"])}
    if kind == "chat.room_closed":
        return {"type": "room_closed", "room_id": event["room_id"], "closed_at": event["closed_at"]}
    person = event["person"]
    if kind in ("chat.typing", "chat.read") and person["user_id"] == viewer.user_public_id:
        return None
    who = {
        "user_id": ViewerAwareSerializer(context=context).visible_user_id(person),
        "user_name": person["display_name"],
    }
    if kind == "chat.typing":
        return {"type": "typing", **who, "is_typing": event["is_typing"]}
    if kind == "chat.read":
        return {
            "type": "read",
            **who,
            "last_read_message_id": event["last_read_message_id"],
            "last_read_at": event["last_read_at"],
        }
    if kind == "chat.member_left":
        return {"type": "member_left", **who, "left_at": event["left_at"]}
    raise ValueError(f"unknown room event {kind!r}")
