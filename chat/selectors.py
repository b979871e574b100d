"""Chat reads: who may see a room and as whom, room lists with unread counts, history pages.

Identity rule (CONTRACT §7), applied to every payload through :class:`Viewer`:
- a member's ``user_id`` (public id) is shown to members of their own group, and to everyone
  in an ``open`` room; in a ``blind`` room the other group's ``user_id`` is ``null``;
- ``username`` is shown only in ``open`` rooms;
- profile photos are never shown in chat.
"""

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Q,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from chat.models import ChatAttachment, ChatMember, ChatRoom, DisplayMode, Message, MessageType
from config.db import Param, PreparedQuery
from config.responses import iso_datetime, utc_timestamp

# Earlier than any message, so an empty read cursor counts every message as unread.
_BEFORE_EVERYTHING = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Viewer:
    """A member looking at their room: decides whose identity they may see."""

    user_public_id: str
    group: str
    display_name: str
    display_mode: str

    def sees_user_id_of(self, group: str) -> bool:
        return self.display_mode == DisplayMode.OPEN or group == self.group

    @property
    def sees_usernames(self) -> bool:
        return self.display_mode == DisplayMode.OPEN

    def person(self) -> dict:
        """This viewer as the actor of an event (see ``chat.events.person_fact``)."""
        return {"user_id": self.user_public_id, "display_name": self.display_name, "group": self.group}


def viewer_for(member: ChatMember) -> Viewer:
    return Viewer(
        user_public_id=str(member.user.public_id),
        group=member.group,
        display_name=member.display_name,
        display_mode=member.room.display_mode,
    )


# --- membership ---------------------------------------------------------------------------

def active_membership(*, user, room_id) -> ChatMember | None:
    """The caller's seat in the room if they have not left it (with room and user loaded)."""
    return (
        ChatMember.objects.select_related("room", "user")
        .filter(room_id=room_id, user=user, left_at__isnull=True)
        .first()
    )


# The type of ``ChatMember.user_id`` (the user model's primary key), for bound parameters.
_USER_PK = ChatMember._meta.get_field("user").target_field

# The caller's seat as a viewer: asked first by every message page and socket.
_SEAT_VIEWER = PreparedQuery(
    lambda: ChatMember.objects.filter(
        room_id=Param("room_id", UUIDField()), user_id=Param("user_id", _USER_PK), left_at__isnull=True
    )
    .order_by()
    .values_list("group", "display_name", "room__display_mode")[:1]
)


def room_viewer(*, user, room_id) -> Viewer | None:
    """The caller as a viewer of the room if they sit there (not left), else None."""
    rows = _SEAT_VIEWER.rows(room_id=room_id, user_id=user.pk)
    if not rows:
        return None
    group, display_name, display_mode = rows[0]
    return Viewer(
        user_public_id=str(user.public_id), group=group, display_name=display_name, display_mode=display_mode
    )


def users_share_room(*, user, other) -> bool:
    """Whether the two users sit, or sat, in one chat room (leaving does not erase it)."""
    if user.pk == other.pk:
        return False
    return ChatMember.objects.filter(
        user=other, room__in=ChatMember.objects.filter(user=user).values("room")
    ).exists()


def active_room_count() -> int:
    """Rooms still open (for the admin matching statistics)."""
    return ChatRoom.objects.filter(is_active=True).count()


def message_evidence(*, reporter, message_id) -> dict | None:
    """A snapshot of a message for a report, when the reporter is or was in its room; else None."""
    try:
        message_uuid = uuid.UUID(str(message_id))
    except ValueError:
        return None
    message = (
        Message.objects.select_related("sender__user")
        .filter(message_id=message_uuid, room__members__user=reporter)
        .first()
    )
    if message is None:
        return None
    return {
        "message_id": str(message.message_id),
        "content": message.content,
        "message_type": message.message_type,
        "sender_user_id": str(message.sender.user.public_id) if message.sender is not None else None,
        "room_id": str(message.room_id),
        "created_at": utc_timestamp(message.created_at),
    }


# --- room list ------------------------------------------------------------------------------

def _after_read_cursor() -> Q:
    """Messages later in (created_at, seq) order than the outer member's read cursor."""
    cursor_at = OuterRef("last_read_message_created_at")
    return Q(created_at__gt=Coalesce(cursor_at, Value(_BEFORE_EVERYTHING))) | Q(
        created_at=cursor_at, seq__gt=OuterRef("last_read_message_seq")
    )


def _unread_count_subquery() -> Coalesce:
    """Messages of others (system messages included) after the member's read cursor."""
    unread = (
        Message.objects.filter(_after_read_cursor(), room=OuterRef("room_id"))
        .exclude(sender=OuterRef("pk"))
        .order_by()
        .values("room")
        .annotate(n=Count("seq"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0)


def _active_members_count_subquery() -> Coalesce:
    members = (
        ChatMember.objects.filter(room=OuterRef("room_id"), left_at__isnull=True)
        .order_by()
        .values("room")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(members), 0)


# The room list's columns: the seat's room, its counts and its newest message (``last_message``).
_ROOM_LIST_COLUMNS = (
    "room_id", "room__room_name", "room__display_mode", "room__is_active", "room__created_at",
    "members_count", "unread_count",
    "room__last_message__message_id", "room__last_message__content", "room__last_message__sender__display_name",
    "room__last_message__message_type", "room__last_message__created_at",
)


def _room_list_query(*, by_activity: bool) -> PreparedQuery:
    def seats():
        seats = ChatMember.objects.filter(user_id=Param("user_id", _USER_PK), left_at__isnull=True)
        if by_activity:
            seats = seats.filter(room__is_active=Param("is_active", BooleanField()))
        return (
            seats.annotate(unread_count=_unread_count_subquery(), members_count=_active_members_count_subquery())
            .order_by(Coalesce("room__last_message__created_at", "room__created_at").desc(), F("room_id").desc())
            .values_list(*_ROOM_LIST_COLUMNS)
        )

    return PreparedQuery(seats, uuids_as_text=True)


_ROOMS_ALL = _room_list_query(by_activity=False)
_ROOMS_BY_ACTIVITY = _room_list_query(by_activity=True)


def room_list(*, user, is_active: bool | None) -> list[dict]:
    """The caller's rooms (seats not left), newest activity first, as the room list's items.

    One SQL statement whatever the number of rooms, compiled once per process: the newest
    message is joined through ``ChatRoom.last_message``; the unread and member counts are
    correlated subqueries. No user of any group is named.
    """
    if is_active is None:
        rows = _ROOMS_ALL.rows(user_id=user.pk)
    else:
        rows = _ROOMS_BY_ACTIVITY.rows(user_id=user.pk, is_active=is_active)
    return [_room_list_item(*row) for row in rows]


def _room_list_item(
    room_id, room_name, display_mode, room_is_active, created_at, members_count, unread,
    message_id, content, sender_name, message_type, message_created_at,
) -> dict:
    last_message = None
    if message_id is not None:
        last_message = {
            "message_id": message_id,
            "content": content,
            "sender_name": sender_name,
            "message_type": message_type,
            "created_at": iso_datetime(message_created_at),
        }
    return {
        "room_id": room_id,
        "room_name": room_name,
        "display_mode": display_mode,
        "is_active": room_is_active,
        "members_count": members_count,
        "unread_count": unread,
        "last_message": last_message,
        "created_at": iso_datetime(created_at),
    }


_UNREAD_COUNT = PreparedQuery(
    lambda: ChatMember.objects.filter(pk=Param("member_id", UUIDField()))
    .annotate(unread=_unread_count_subquery())
    .values_list("unread")
)


def unread_count(*, member: ChatMember) -> int:
    return _UNREAD_COUNT.rows(member_id=member.pk)[0][0]


# --- room details ---------------------------------------------------------------------------

def room_details(*, member: ChatMember) -> dict:
    """The room as facts: both groups with every seat (``has_left`` for those who left)."""
    room: ChatRoom = member.room
    seats = list(ChatMember.objects.filter(room=room).select_related("user").order_by("group", "position"))

    def group(letter: str, department: str, grade: str) -> dict:
        return {
            "department": department,
            "grade": grade,
            "members": [
                {
                    "person": {
                        "user_id": str(seat.user.public_id),
                        "display_name": seat.display_name,
                        "group": seat.group,
                        "username": seat.user.username,
                    },
                    "is_me": seat.pk == member.pk,
                    "has_left": seat.left_at is not None,
                }
                for seat in seats
                if seat.group == letter
            ],
        }

    return {
        "room_id": str(room.id),
        "room_name": room.room_name,
        "display_mode": room.display_mode,
        "is_active": room.is_active,
        "my_display_name": member.display_name,
        "group_a": group("A", room.group_a_department, room.group_a_grade),
        "group_b": group("B", room.group_b_department, room.group_b_grade),
        "created_at": iso_datetime(room.created_at),
        "closed_at": iso_datetime(room.closed_at),
    }


# --- messages -------------------------------------------------------------------------------

def attachment_fact(attachment: ChatAttachment) -> dict:
    return {
        "attachment_id": str(attachment.id),
        "url": reverse(
            "chat-attachment-file", kwargs={"room_id": attachment.room_id, "attachment_id": attachment.id}
        ),
        "content_type": attachment.content_type,
        "width": attachment.width,
        "height": attachment.height,
        "size": attachment.size,
    }


def message_fact(message: Message, attachments: list[ChatAttachment] | None = None) -> dict:
    """A stored message as facts (sender's public id and group included; shaped per reader later).

    Expects ``sender__user`` selected, and the message's ``attachments`` given (in upload order)
    or prefetched (else they are read).
    """
    if attachments is None:
        attachments = list(message.attachments.all())
    sender = message.sender
    return message_fact_of(
        message_id=message.message_id,
        room_id=message.room_id,
        sender=(
            {"user_id": str(sender.user.public_id), "display_name": sender.display_name, "group": sender.group}
            if sender is not None
            else None
        ),
        message_type=message.message_type,
        content=message.content,
        created_at=message.created_at,
        attachments=[attachment_fact(a) for a in attachments],
    )


def message_fact_of(
    *, message_id, room_id, sender: dict | None, message_type: str, content: str, created_at, attachments: list[dict]
) -> dict:
    """A message's facts from its values (``message_fact`` when there is no model instance)."""
    return {
        "message_id": str(message_id),
        "room_id": str(room_id),
        "sender": sender,
        "message_type": message_type,
        "content": content,
        "created_at": iso_datetime(created_at),
        "attachments": attachments,
    }


@dataclass(frozen=True)
class MessagesPage:
    messages: list[dict]  # facts, oldest → newest
    has_more: bool
    next_cursor: str | None


def message_in_room(*, room_id, message_id) -> Message | None:
    return Message.objects.filter(room_id=room_id, message_id=message_id).first()


# What a page needs, as plain columns: model instances for the rows and their senders' users
# cost more than the page's query.
_PAGE_COLUMNS = (
    "seq", "message_id", "message_type", "content", "created_at",
    "sender__display_name", "sender__group", "sender__user__public_id",
)


@functools.cache
def _page_query(limit: int, *, before: bool) -> PreparedQuery:
    """The page's statement for one page size, from the newest message or before a cursor."""

    def page():
        queryset = Message.objects.filter(room_id=Param("room_id", UUIDField()))
        if before:
            created_at, seq = Param("created_at", DateTimeField()), Param("seq", BigIntegerField())
            queryset = queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, seq__lt=seq))
        return queryset.order_by("-created_at", "-seq").values_list(*_PAGE_COLUMNS)[: limit + 1]

    return PreparedQuery(page, uuids_as_text=True)


# The caller's seat, joined to every row of the newest page (one seat per user and room, so no
# row repeats): the page and the membership check in one statement.
_VIEWER_COLUMNS = ("room__members__group", "room__members__display_name", "room__display_mode")


@functools.cache
def _newest_page_with_viewer_query(limit: int) -> PreparedQuery:
    return PreparedQuery(
        lambda: Message.objects.filter(
            room_id=Param("room_id", UUIDField()),
            room__members__user_id=Param("user_id", _USER_PK),
            room__members__left_at__isnull=True,
        )
        .order_by("-created_at", "-seq")
        .values_list(*_PAGE_COLUMNS, *_VIEWER_COLUMNS)[: limit + 1],
        uuids_as_text=True,
    )


def messages_page(*, room_id, limit: int, before: Message | None) -> MessagesPage:
    """The ``limit`` newest messages older than ``before`` in (created_at, seq) order.

    Keyset pagination: stable while messages arrive, every message exactly once, even when
    several share a ``created_at``. ``next_cursor`` is the oldest returned message's id when
    older ones remain. The facts are those of :func:`message_fact`.
    """
    if before is None:
        rows = _page_query(limit, before=False).rows(room_id=room_id)
    else:
        rows = _page_query(limit, before=True).rows(room_id=room_id, created_at=before.created_at, seq=before.seq)
    return _page_from_rows(room_id, rows, limit)


def newest_messages_for(*, user, room_id, limit: int) -> tuple[Viewer, MessagesPage] | None:
    """The room's newest page (as :func:`messages_page`) and the caller as its viewer, or ``None``
    when the caller does not sit in the room. The first page is what every room screen opens
    with, so the seat comes with the page in one statement; only an empty room asks again."""
    rows = _newest_page_with_viewer_query(limit).rows(room_id=room_id, user_id=user.pk)
    if not rows:
        viewer = room_viewer(user=user, room_id=room_id)
        return None if viewer is None else (viewer, MessagesPage(messages=[], has_more=False, next_cursor=None))
    group, display_name, display_mode = rows[0][-len(_VIEWER_COLUMNS):]
    viewer = Viewer(
        user_public_id=str(user.public_id), group=group, display_name=display_name, display_mode=display_mode
    )
    return viewer, _page_from_rows(room_id, rows, limit)


def _page_from_rows(room_id, rows: list[tuple], limit: int) -> MessagesPage:
    """A page from rows that start with ``_PAGE_COLUMNS``, newest first, up to ``limit + 1``."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    # Only image messages have attachments: a page of text costs no query for them.
    attachments: dict[int, list[dict]] = {}
    image_seqs = [row[0] for row in rows if row[2] == MessageType.IMAGE]
    if image_seqs:
        for attachment in ChatAttachment.objects.filter(message_id__in=image_seqs).order_by("created_at", "pk"):
            attachments.setdefault(attachment.message_id, []).append(attachment_fact(attachment))
    room = str(room_id)
    messages = [
        {
            "message_id": message_id,
            "room_id": room,
            "sender": (
                {"user_id": sender_public_id, "display_name": sender_name, "group": sender_group}
                if sender_name is not None
                else None
            ),
            "message_type": message_type,
            "content": content,
            "created_at": iso_datetime(created_at),
            "attachments": attachments.get(seq, []),
        }
        for (
            seq, message_id, message_type, content, created_at,
            sender_name, sender_group, sender_public_id, *_viewer,
        ) in rows
    ]
    return MessagesPage(
        messages=messages, has_more=has_more, next_cursor=messages[0]["message_id"] if has_more else None
    )


def attachment_for_download(*, member: ChatMember, attachment_id) -> ChatAttachment | None:
    """An image of the member's room: sent ones to every member, unsent ones to their uploader only."""
    return (
        ChatAttachment.objects.filter(room_id=member.room_id, id=attachment_id)
        .filter(Q(message__isnull=False) | Q(uploader=member))
        .first()
    )
