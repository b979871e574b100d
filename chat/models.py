"""Group chat rooms opened when a proposal is matched (CONTRACT §7).

Invariants the database holds:
- one room per proposal (``proposal_id`` unique);
- one membership per user and room, unique display names, groups ``A``/``B`` only;
- a system message has no sender and every other message has one; text messages carry
  1-2,000 characters;
- a room is closed exactly when it has a ``closed_at``.

Kept by the services that add messages (under the room lock): a room's ``last_message`` is its
newest message in (created_at, seq) order.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from chat.conf import MESSAGE_MAX_CHARS
from chat.storage import chat_attachment_storage


class DisplayMode(models.TextChoices):
    BLIND = "blind", "blind"
    OPEN = "open", "open"


class Group(models.TextChoices):
    A = "A", "A"
    B = "B", "B"


class MessageType(models.TextChoices):
    TEXT = "text", "text"
    IMAGE = "image", "image"
    SYSTEM = "system", "system"


class ChatRoom(models.Model):
    # ``room_id`` in every payload.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A plain UUID, not a foreign key: chat does not depend on the pools app.
    proposal_id = models.UUIDField(unique=True, editable=False)
    room_name = models.CharField(max_length=100)
    display_mode = models.CharField(max_length=5, choices=DisplayMode.choices)
    group_a_department = models.CharField(max_length=100, blank=True)
    group_a_grade = models.CharField(max_length=30, blank=True)
    group_b_department = models.CharField(max_length=100, blank=True)
    group_b_grade = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The newest message, set by every write that adds one (under the room lock, in its
    # transaction), so the room list joins it instead of searching each room's messages.
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(display_mode__in=["blind", "open"]), name="chat_room_display_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, closed_at__isnull=True) | Q(is_active=False, closed_at__isnull=False),
                name="chat_room_closed_iff_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_name} ({self.id})"


class ChatMember(models.Model):
    """A user's seat in a room. Leaving keeps the row (``left_at``) so history keeps its names."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="members")
    # PROTECT: a user who chatted stays, so messages and moderation evidence keep their sender.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_memberships")
    group = models.CharField(max_length=1, choices=Group.choices)
    position = models.PositiveSmallIntegerField()
    display_name = models.CharField(max_length=10)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    # Read state: the newest message this member has read, as its (created_at, seq) sort key,
    # so unread counts compare two columns instead of joining the message.
    last_read_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_read_message_created_at = models.DateTimeField(null=True, blank=True)
    last_read_message_seq = models.BigIntegerField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="chat_member_one_seat_per_user"),
            models.UniqueConstraint(fields=["room", "display_name"], name="chat_member_display_name_unique"),
            models.UniqueConstraint(fields=["room", "group", "position"], name="chat_member_position_unique"),
            models.CheckConstraint(condition=Q(group__in=["A", "B"]), name="chat_member_group_valid"),
            models.CheckConstraint(condition=Q(position__gte=1), name="chat_member_position_positive"),
            models.CheckConstraint(
                condition=(
                    Q(last_read_message_created_at__isnull=True, last_read_message_seq__isnull=True)
                    | Q(last_read_message_created_at__isnull=False, last_read_message_seq__isnull=False)
                ),
                name="chat_member_read_cursor_complete",
            ),
        ]
        indexes = [models.Index(fields=["user", "left_at"], name="chat_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.display_name} in {self.room_id}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class Message(models.Model):
    # ``seq`` breaks ties between messages that share a ``created_at``; ``message_id`` is public.
    seq = models.BigAutoField(primary_key=True)
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        ChatMember, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    message_type = models.CharField(max_length=6, choices=MessageType.choices)
    content = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "seq"]
        constraints = [
            models.CheckConstraint(
                condition=Q(message_type__in=["text", "image", "system"]), name="chat_message_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(message_type="system", sender__isnull=True)
                | (~Q(message_type="system") & Q(sender__isnull=False)),
                name="chat_message_system_iff_no_sender",
            ),
            models.CheckConstraint(
                condition=~Q(message_type="text") | GreaterThanOrEqual(Length("content"), 1),
                name="chat_message_text_not_empty",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("content"), MESSAGE_MAX_CHARS), name="chat_message_content_max_length"
            ),
        ]
        indexes = [models.Index(fields=["room", "created_at", "seq"], name="chat_message_room_order_idx")]

    def __str__(self) -> str:
        return f"{self.message_type} {self.message_id}"


def attachment_path(instance: "ChatAttachment", filename: str) -> str:
    return f"chat/{instance.room_id}/{filename}"


class ChatAttachment(models.Model):
    """An image uploaded to a room, re-encoded; private to the room's members.

    It belongs to no message until an ``image`` message claims it; a message claims it once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(ChatMember, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    image = models.FileField(upload_to=attachment_path, storage=chat_attachment_storage, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"attachment {self.id}"

