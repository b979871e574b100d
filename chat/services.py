"""Chat use cases: opening a room for a matched proposal, sending, leaving, reading, attachments.

Every write that depends on a room's state (active, who is still a member) locks the room row
first (``SELECT ... FOR NO KEY UPDATE``), so sends, leaves and closes in one room are serialized
and a message's ``created_at`` follows the lock order; each write that adds a message also
points the room's ``last_message`` at it. Events go out after commit; sends and
leaves also hold ``chat.locks.room_order_lock`` until their events are out. A text message sent
over a socket on PostgreSQL is written from the event loop (``chat_message_send_async``), under
the same locks, in one round trip.
"""

import asyncio
import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from psycopg import AsyncClientCursor

from chat import events, selectors
from chat.conf import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_SIDE,
    ATTACHMENT_UNSENT_TTL,
    ATTACHMENTS_PER_MESSAGE_MAX,
    MESSAGE_MAX_CHARS,
    ROOM_NAME_PREFIX,
)
from chat.errors import ImageTooLarge, InvalidAttachment, InvalidImage, MessageNotFound, RoomClosed, RoomNotFound
from chat.locks import ADVISORY_LOCK_SQL, ADVISORY_UNLOCK_SQL, advisory_key, room_order_lock
from chat.models import ChatAttachment, ChatMember, ChatRoom, DisplayMode, Group, Message, MessageType
from config import asyncdb
from config.errors import ValidationFailed
from config.images import ImageRejection, sanitize_image
from config.responses import iso_datetime


@dataclass(frozen=True)
class RoomGroupSpec:
    user_ids: list[int]  # User pks, in display order (A1.. / B1..)
    department: str
    grade: str


@dataclass(frozen=True)
class RoomSummary:
    room_id: uuid.UUID
    room_name: str
    display_mode: str  # "blind" | "open"
    members_count: int


def room_name_for(moment: datetime) -> str:
    """``과팅 매칭 - YYYY.MM.DD`` in the display time zone (Asia/Seoul)."""
    local = moment.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return f"{ROOM_NAME_PREFIX} - {local:%Y.%m.%d}"


def _summary(room: ChatRoom, members_count: int) -> RoomSummary:
    return RoomSummary(
        room_id=room.id, room_name=room.room_name, display_mode=room.display_mode, members_count=members_count
    )


def _check_room_spec(group_a: RoomGroupSpec, group_b: RoomGroupSpec, display_mode: str) -> None:
    if display_mode not in DisplayMode.values:
        raise ValueError(f"display_mode must be one of {DisplayMode.values}, not {display_mode!r}")
    everyone = [*group_a.user_ids, *group_b.user_ids]
    if not group_a.user_ids or not group_b.user_ids:
        raise ValueError("both groups need at least one member")
    if len(set(everyone)) != len(everyone):
        raise ValueError("a user may sit in only one seat of a room")


def chat_room_open_for_proposal(
    *, proposal_id: uuid.UUID, group_a: RoomGroupSpec, group_b: RoomGroupSpec, display_mode: str
) -> RoomSummary:
    """Opens the one chat room of a matched proposal, or returns the one it already has.

    Runs inside the caller's transaction (a nested savepoint, not durable). Members are seated
    ``A1..An`` then ``B1..Bn`` in the given order, the room is named after today's date in
    Asia/Seoul, and it starts with a system message. The unique ``proposal_id`` makes a second
    room impossible: a concurrent duplicate waits on the index, fails, and gets the winner's room.
    Raises ValueError for an impossible spec (a programming error of the caller).
    """
    _check_room_spec(group_a, group_b, display_mode)
    existing = _existing_room_summary(proposal_id)
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            room = ChatRoom.objects.create(
                proposal_id=proposal_id,
                room_name=room_name_for(now),
                display_mode=display_mode,
                group_a_department=group_a.department,
                group_a_grade=group_a.grade,
                group_b_department=group_b.department,
                group_b_grade=group_b.grade,
                created_at=now,
            )
            members = [
                ChatMember(
                    room=room, user_id=user_id, group=group, position=position,
                    display_name=f"{group}{position}", joined_at=now,
                )
                for group, spec in ((Group.A, group_a), (Group.B, group_b))
                for position, user_id in enumerate(spec.user_ids, start=1)
            ]
            ChatMember.objects.bulk_create(members)
            room.last_message = Message.objects.create(
                room=room, message_type=MessageType.SYSTEM, content=_room_opened_text(), created_at=now
            )
            room.save(update_fields=["last_message"])
    except IntegrityError:
        existing = _existing_room_summary(proposal_id)
        if existing is None:
            raise
        return existing
    return _summary(room, len(members))


def _room_opened_text() -> str:
    # Stored once for every reader, so it is written in the product's language (Korean).
    return "매칭이 성사되었습니다! 서로 인사를 나눠 보세요."


def _existing_room_summary(proposal_id: uuid.UUID) -> RoomSummary | None:
    room = ChatRoom.objects.filter(proposal_id=proposal_id).first()
    if room is None:
        return None
    return _summary(room, room.members.count())


# --- members' actions -----------------------------------------------------------------------

def _lock_room_seat(*, user, room_id) -> tuple[ChatRoom, ChatMember]:
    """Locks the room row, then reads the caller's seat. Raises RoomNotFound unless they sit there.

    Sends, leaves and closes of one room run one at a time behind this lock, so the room's
    state and its members cannot change between the check and the write.
    """
    room = ChatRoom.objects.select_for_update(no_key=True).filter(pk=room_id).first()
    if room is None:
        raise RoomNotFound()
    member = ChatMember.objects.select_related("user").filter(room=room, user=user, left_at__isnull=True).first()
    if member is None:
        raise RoomNotFound()
    member.room = room
    return room, member


def chat_message_send(
    *, user, room_id: uuid.UUID, message_type: str, content: str, attachment_ids: list[uuid.UUID] | None = None
) -> dict:
    """Stores a member's ``text`` or ``image`` message, then (after commit) broadcasts it.

    Returns the message's facts (see ``chat.selectors.message_fact``). ``created_at`` is taken
    under the room lock, and the room's order lock is held until the broadcast is out, so every
    socket gets the room's messages in stored order. Durable: it commits before it returns.
    An ``image`` message claims 1-5 unsent attachments the sender uploaded to this room.
    Raises RoomNotFound, RoomClosed, InvalidAttachment, ValidationFailed (``system`` or bad sizes).
    """
    attachment_ids = list(dict.fromkeys(attachment_ids or []))
    _check_message_shape(message_type, content, attachment_ids)
    with room_order_lock(room_id), transaction.atomic(durable=True):
        room, member = _lock_room_seat(user=user, room_id=room_id)
        if not room.is_active:
            raise RoomClosed()
        attachments = []
        if message_type == MessageType.IMAGE:
            attachments = list(
                ChatAttachment.objects.select_for_update()
                .filter(room=room, uploader=member, message__isnull=True, id__in=attachment_ids)
                .order_by("pk")
            )
            if len(attachments) != len(attachment_ids):
                raise InvalidAttachment(details={"attachments": [str(_("Upload each image to this room first."))]})
        message = Message.objects.create(
            room=room, sender=member, message_type=message_type, content=content, created_at=timezone.now()
        )
        ChatRoom.objects.filter(pk=room.pk).update(last_message=message)
        if attachments:
            ChatAttachment.objects.filter(pk__in=[a.pk for a in attachments]).update(message=message)
        # Built from the rows in hand (the seat has its user loaded), not read back.
        attachments.sort(key=lambda attachment: (attachment.created_at, attachment.pk))
        fact = selectors.message_fact(message, attachments)
        events.message_created_on_commit(room.id, fact)
    return fact


async def chat_message_send_async(
    *, user, room_id: uuid.UUID, message_type: str, content: str, attachment_ids: list[uuid.UUID] | None = None
) -> dict:
    """``chat_message_send`` for the event loop (a socket's ``message`` frame): same checks, same
    rows, same broadcast, same errors.

    A text message on PostgreSQL is written from the loop itself (``config.asyncdb``): the room's
    order lock and one statement in one round trip, the broadcast, the unlock; two round trips
    instead of eight, none of them waiting for Channels' database thread. Image messages and the
    SQLite mode take ``chat_message_send`` on that thread. A cancelled caller does not cut a send
    in half: once started, it stores and broadcasts, or fails, as a whole.
    """
    if message_type != MessageType.TEXT or not asyncdb.available():
        return await database_sync_to_async(chat_message_send)(
            user=user, room_id=room_id, message_type=message_type, content=content, attachment_ids=attachment_ids
        )
    _check_message_shape(message_type, content, list(attachment_ids or []))
    return await asyncio.shield(_text_message_send_on_loop(user=user, room_id=room_id, content=content))


async def _text_message_send_on_loop(*, user, room_id: uuid.UUID, content: str) -> dict:
    message_id = uuid.uuid4()
    key = advisory_key(room_id)
    async with asyncdb.connection() as conn:
        try:
            # One round trip: the order lock, then the statement, sent together in one simple
            # query (bound on the client). The server runs the statement once the lock is held,
            # with a snapshot taken then. The time is taken before the lock, so the statement
            # moves it up to the room's newest message if that one is later: order stays the lock
            # order. (A pipeline of two prepared statements did the same in one round trip, but
            # its client side cost more than the statements: 1.5 ms against 1.0.)
            async with AsyncClientCursor(conn) as cursor:
                await cursor.execute(
                    _text_message_send_sql(),
                    {"lock_key": key, "room_id": room_id, "user_id": user.pk, "message_id": message_id,
                     "content": content, "created_at": timezone.now()},
                )
                cursor.nextset()
                seat = await cursor.fetchone()
            if seat is None:
                raise RoomNotFound()
            display_name, group, room_is_active, created_at = seat
            if not room_is_active:
                raise RoomClosed()
            fact = selectors.message_fact_of(
                message_id=message_id,
                room_id=room_id,
                sender={"user_id": str(user.public_id), "display_name": display_name, "group": group},
                message_type=MessageType.TEXT,
                content=content,
                created_at=created_at,
                attachments=[],
            )
            await events.send_message_created(room_id, fact)
        finally:
            await conn.execute(ADVISORY_UNLOCK_SQL, [key], prepare=asyncdb.prepares_statements())
    return fact


@functools.cache
def _text_message_send_sql() -> str:
    """Two statements for ``_text_message_send_on_loop``, sent as one simple query, which
    PostgreSQL runs as one implicit transaction. The first takes the room's order lock
    (``%(lock_key)s``, a session lock: it outlives the transaction until the caller releases it).
    The second writes the sender's seat, the message (only if they sit there and the room is
    active, never older than the room's newest) and the room's ``last_message``; it returns the
    seat, the room's state and the message's time, or no row. Under READ COMMITTED each statement
    takes its own snapshot, so the second sees every change committed before the lock was granted.

    No row lock is needed to read the seat and the room: this runs under the room's order lock,
    which every write that changes them (a leave, a close) holds until it commits, so the
    statement's snapshot already has their last change and none can happen before it ends. The
    room's row is still locked, by the ``UPDATE``, as by every other write adding a message.
    """
    room, member, message = ChatRoom._meta, ChatMember._meta, Message._meta

    def column(meta, name: str) -> str:
        return f'"{meta.get_field(name).column}"'

    return f"""
        {ADVISORY_LOCK_SQL.replace("%s", "%(lock_key)s")};
        WITH seat AS (
            SELECT member.{column(member, "id")} AS id, member.{column(member, "display_name")} AS display_name,
                   member.{column(member, "group")} AS "group", room.{column(room, "is_active")} AS is_active,
                   room.{column(room, "last_message")} AS last_message
            FROM "{member.db_table}" AS member
            JOIN "{room.db_table}" AS room ON room.{column(room, "id")} = member.{column(member, "room")}
            WHERE member.{column(member, "room")} = %(room_id)s AND member.{column(member, "user")} = %(user_id)s
              AND member.{column(member, "left_at")} IS NULL
        ), message AS (
            INSERT INTO "{message.db_table}" ({column(message, "message_id")}, {column(message, "room")},
                {column(message, "sender")}, {column(message, "message_type")}, {column(message, "content")},
                {column(message, "created_at")})
            SELECT %(message_id)s, %(room_id)s, seat.id, '{MessageType.TEXT}', %(content)s, GREATEST(
                %(created_at)s,
                (SELECT newest.{column(message, "created_at")} FROM "{message.db_table}" AS newest
                 WHERE newest.{column(message, "seq")} = seat.last_message)
            )
            FROM seat WHERE seat.is_active
            RETURNING {column(message, "seq")} AS seq, {column(message, "created_at")} AS created_at
        ), room_update AS (
            UPDATE "{room.db_table}" SET {column(room, "last_message")} = message.seq
            FROM message WHERE "{room.db_table}".{column(room, "id")} = %(room_id)s
        )
        SELECT seat.display_name, seat."group", seat.is_active, message.created_at
        FROM seat LEFT JOIN message ON TRUE
    """


def _check_message_shape(message_type: str, content: str, attachment_ids: list) -> None:
    if message_type == MessageType.TEXT:
        if not 1 <= len(content) <= MESSAGE_MAX_CHARS:
            raise ValidationFailed(details={"content": [str(_("Write 1 to 2,000 characters."))]})
        if attachment_ids:
            raise ValidationFailed(details={"attachments": [str(_("Text messages take no attachments."))]})
    elif message_type == MessageType.IMAGE:
        if len(content) > MESSAGE_MAX_CHARS:
            raise ValidationFailed(details={"content": [str(_("Write 1 to 2,000 characters."))]})
        if not 1 <= len(attachment_ids) <= ATTACHMENTS_PER_MESSAGE_MAX:
            raise ValidationFailed(
                details={"attachments": [str(_("Attach 1 to %(max)d images.") % {"max": ATTACHMENTS_PER_MESSAGE_MAX})]}
            )
    else:
        # ``system`` messages are written by the server only.
        raise ValidationFailed(details={"message_type": [str(_("Send text or image messages."))]})


@dataclass(frozen=True)
class LeaveOutcome:
    room_closed: bool


def chat_room_leave(*, user, room_id: uuid.UUID) -> LeaveOutcome:
    """The caller leaves the room for good.

    Adds ``<display_name>님이 나갔습니다.``; closes the room when nobody of the leaver's group
    remains. After commit, in this order: the leaver's sockets in the room are closed, then the
    others get the system message, ``member_left`` and, if it closed, ``room_closed``.
    Raises RoomNotFound (also for a second leave).
    """
    with room_order_lock(room_id), transaction.atomic(durable=True):
        room, member = _lock_room_seat(user=user, room_id=room_id)
        now = timezone.now()
        ChatMember.objects.filter(pk=member.pk, left_at__isnull=True).update(left_at=now)
        notice = Message.objects.create(
            room=room, message_type=MessageType.SYSTEM, content=f"{member.display_name}님이 나갔습니다.", created_at=now
        )
        closes = room.is_active and not ChatMember.objects.filter(
            room=room, group=member.group, left_at__isnull=True
        ).exists()
        # The room row is locked: whether it closes was decided on its current state.
        ChatRoom.objects.filter(pk=room.pk).update(
            last_message=notice, **({"is_active": False, "closed_at": now} if closes else {})
        )
        person = events.person_fact(member)
        events.member_removed_on_commit(room.id, member.user.public_id)
        events.message_created_on_commit(room.id, selectors.message_fact(notice, []))
        events.member_left_on_commit(room.id, person=person, left_at=iso_datetime(now))
        if closes:
            events.room_closed_on_commit(room.id, closed_at=iso_datetime(now))
    return LeaveOutcome(room_closed=closes)


@dataclass(frozen=True)
class ReadState:
    unread_count: int
    last_read_at: datetime | None


def chat_room_mark_read(*, user, room_id: uuid.UUID, last_read_message_id: uuid.UUID) -> ReadState:
    """Moves the caller's read cursor forward to a message of the room (never backwards).

    The move is one conditional UPDATE, so concurrent reads keep the newest cursor. When the
    cursor moved, the other members get a ``read`` event after commit.
    Raises RoomNotFound, MessageNotFound.
    """
    member = selectors.active_membership(user=user, room_id=room_id)
    if member is None:
        raise RoomNotFound()
    message = selectors.message_in_room(room_id=member.room_id, message_id=last_read_message_id)
    if message is None:
        raise MessageNotFound(details={"last_read_message_id": [str(_("No such message in this room."))]})
    now = timezone.now()
    with transaction.atomic():
        moved = (
            ChatMember.objects.filter(pk=member.pk)
            .filter(
                Q(last_read_message_seq__isnull=True)
                | Q(last_read_message_created_at__lt=message.created_at)
                | Q(last_read_message_created_at=message.created_at, last_read_message_seq__lt=message.seq)
            )
            .update(
                last_read_message=message,
                last_read_message_created_at=message.created_at,
                last_read_message_seq=message.seq,
                last_read_at=now,
            )
        )
        if moved:
            events.read_on_commit(
                member.room_id,
                person=events.person_fact(member),
                last_read_message_id=str(message.message_id),
                last_read_at=iso_datetime(now),
            )
    member.refresh_from_db(fields=["last_read_at", "last_read_message_created_at", "last_read_message_seq"])
    return ReadState(unread_count=selectors.unread_count(member=member), last_read_at=member.last_read_at)


def chat_attachment_upload(*, user, room_id: uuid.UUID, upload) -> dict:
    """Stores an image for a later ``image`` message of this room; returns its facts.

    The image is judged by its content (JPEG/PNG/WebP, ≤ CHAT_ATTACHMENT_MAX_BYTES) and
    re-encoded, so no EXIF/GPS metadata is kept. Only the room's members may upload, while the
    room is open. Raises RoomNotFound, RoomClosed, InvalidImage, ImageTooLarge.
    """
    member = selectors.active_membership(user=user, room_id=room_id)
    if member is None:
        raise RoomNotFound()
    if not member.room.is_active:
        raise RoomClosed()
    try:
        clean = sanitize_image(upload, max_bytes=ATTACHMENT_MAX_BYTES, max_side=ATTACHMENT_MAX_SIDE)
    except ImageRejection as rejection:
        if rejection.reason == "too_large":
            raise ImageTooLarge(details={"file": [str(_("Images are at most 10 MB."))]}) from None
        raise InvalidImage(details={"file": [rejection.reason]}) from None
    with Image.open(clean) as image:
        width, height = image.size
        content_type = Image.MIME[image.format]
    clean.seek(0)
    attachment = ChatAttachment(
        room=member.room, uploader=member, content_type=content_type, width=width, height=height, size=clean.size
    )
    attachment.image.save(clean.name, clean, save=False)
    try:
        attachment.save()
    except DatabaseError:
        attachment.image.delete(save=False)
        raise
    return selectors.attachment_fact(attachment)


def chat_attachments_purge_unsent(*, now: datetime | None = None) -> int:
    """Deletes images uploaded but never sent within ATTACHMENT_UNSENT_TTL, files included.

    Safe to run twice and concurrently: rows are locked with SKIP LOCKED and deleted only while
    still unsent, so an image a message is claiming right now is left alone. Returns the count.
    """
    cutoff = (now or timezone.now()) - ATTACHMENT_UNSENT_TTL
    with transaction.atomic():
        stale = list(
            ChatAttachment.objects.select_for_update(skip_locked=True)
            .filter(message__isnull=True, created_at__lt=cutoff)
            .order_by("pk")[:500]
        )
        ChatAttachment.objects.filter(pk__in=[a.pk for a in stale], message__isnull=True).delete()
        names = [a.image.name for a in stale]
        transaction.on_commit(lambda: _delete_files(names))
    return len(stale)


def _delete_files(names: list[str]) -> None:
    storage = ChatAttachment._meta.get_field("image").storage
    for name in names:
        storage.delete(name)
