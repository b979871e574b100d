from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from chat import selectors, serializers, services
from chat.errors import (
    AttachmentNotFound,
    ImageTooLarge,
    InvalidAttachment,
    InvalidImage,
    MessageNotFound,
    RoomClosed,
    RoomNotFound,
)
from config.errors import RateLimitExceeded, ValidationFailed
from config.responses import v1_response
from config.schema import error_responses


def _seat(request, room_id):
    """The caller's seat in the room; anyone else (never a member, or left) gets 404."""
    member = selectors.active_membership(user=request.user, room_id=room_id)
    if member is None:
        raise RoomNotFound()
    return member


def _viewer(request, room_id):
    """The caller as a viewer of the room (see ``_seat``); anyone else gets 404."""
    viewer = selectors.room_viewer(user=request.user, room_id=room_id)
    if viewer is None:
        raise RoomNotFound()
    return viewer


class ChatRoomListApi(APIView):
    throttle_scope = "matching_read"

    @extend_schema(
        operation_id="chat_rooms_list",
        description=(
            "The rooms you sit in (not left), latest activity first. `is_active`: `true` (default), `false` "
            "(closed rooms) or `all`. `unread_count` counts the others' messages, system notices included, "
            "after your read position."
        ),
        parameters=[serializers.ChatRoomListQuerySerializer],
        responses={200: serializers.ChatRoomListOutputSerializer, **error_responses(RateLimitExceeded)},
    )
    def get(self, request):
        query = serializers.ChatRoomListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rooms = selectors.room_list(user=request.user, is_active=query.to_filter())
        # The items have the output's keys and types already (test_plain_payloads.py).
        return v1_response({"chat_rooms": rooms, "total": len(rooms)})


class ChatRoomDetailApi(APIView):
    throttle_scope = "matching_read"

    @extend_schema(
        operation_id="chat_room_retrieve",
        description=(
            "Both groups with every seat (`has_left` for members who left). Blind rooms: `user_id` is null "
            "for the other group and `username` null for everyone; open rooms show both. Members who left and"
            " non-members get 404."
        ),
        responses={200: serializers.ChatRoomDetailOutputSerializer, **error_responses(RoomNotFound)},
    )
    def get(self, request, room_id):
        member = _seat(request, room_id)
        details = selectors.room_details(member=member)
        context = {"viewer": selectors.viewer_for(member)}
        return v1_response(serializers.ChatRoomDetailOutputSerializer(details, context=context).data)


class ChatMessagesApi(APIView):
    # Sends count against the same per-user limit as the chat socket's message frames.
    throttle_scope = {"GET": "matching_read", "POST": "chat_message"}

    @extend_schema(
        operation_id="chat_messages_list",
        description=(
            "The `limit` newest messages older than `before` (a message_id), oldest → newest within the page;"
            " keyset order (created_at, then insertion). `next_cursor` is the oldest returned message_id "
            "while `has_more`. `sender_id` follows the blind-room rule (null for the other group in blind "
            "rooms)."
        ),
        parameters=[serializers.ChatMessagesQuerySerializer],
        responses={
            200: serializers.ChatMessagesPageOutputSerializer,
            **error_responses(RoomNotFound, ValidationFailed),
        },
    )
    def get(self, request, room_id):
        query = serializers.ChatMessagesQuerySerializer(data=request.query_params)
        if not query.is_valid():
            # Someone outside the room learns nothing about it, not even from a bad query.
            _viewer(request, room_id)
            raise ValidationError(query.errors)
        limit = query.validated_data["limit"]
        if "before" not in query.validated_data:
            # The first page (what opening a room asks for) and the seat check in one query.
            found = selectors.newest_messages_for(user=request.user, room_id=room_id, limit=limit)
            if found is None:
                raise RoomNotFound()
            viewer, page = found
            return v1_response(serializers.messages_page_output(viewer, page))
        viewer = _viewer(request, room_id)
        before = selectors.message_in_room(room_id=room_id, message_id=query.validated_data["before"])
        if before is None:
            raise ValidationFailed(details={"before": [_("No such message in this room.")]})
        page = selectors.messages_page(room_id=room_id, limit=limit, before=before)
        return v1_response(serializers.messages_page_output(viewer, page))

    @extend_schema(
        operation_id="chat_message_send",
        description=(
            "`text`: content 1-2,000 characters. `image`: 1-5 attachment_ids uploaded to this room and not "
            "yet sent, optional caption. `system` is refused. Stored, then broadcast to the room socket "
            "(docs/websockets.md). 60/minute per user, counted together with the socket's message frames."
        ),
        request=serializers.ChatMessageSendInputSerializer,
        responses={
            201: serializers.ChatMessageOutputSerializer,
            **error_responses(RoomNotFound, RoomClosed, InvalidAttachment, RateLimitExceeded),
        },
    )
    def post(self, request, room_id):
        member = _seat(request, room_id)
        data = serializers.ChatMessageSendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fact = services.chat_message_send(
            user=request.user,
            room_id=room_id,
            message_type=data.validated_data["message_type"],
            content=data.validated_data["content"],
            attachment_ids=data.validated_data["attachments"],
        )
        context = {"viewer": selectors.viewer_for(member)}
        return v1_response(
            serializers.ChatMessageOutputSerializer(fact, context=context).data, message=_("Message sent."), status=201
        )


class ChatAttachmentUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "chat_message"

    @extend_schema(
        operation_id="chat_attachment_upload",
        description=(
            "Multipart field `file`: a JPEG, PNG or WebP image (judged by content), at most 10 MB, re-encoded"
            " without metadata. Members of an open room only. Send it with an `image` message; unsent uploads"
            " are deleted after 24 hours."
        ),
        request=serializers.ChatAttachmentUploadInputSerializer,
        responses={
            201: serializers.ChatAttachmentOutputSerializer,
            **error_responses(RoomNotFound, RoomClosed, InvalidImage, ImageTooLarge, RateLimitExceeded),
        },
    )
    def post(self, request, room_id):
        _seat(request, room_id)
        data = serializers.ChatAttachmentUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fact = services.chat_attachment_upload(user=request.user, room_id=room_id, upload=data.validated_data["file"])
        return v1_response(
            serializers.ChatAttachmentOutputSerializer(fact).data, message=_("The image was uploaded."), status=201
        )


class ChatAttachmentFileApi(APIView):
    throttle_scope = "matching_read"

    @extend_schema(
        operation_id="chat_attachment_download",
        description=(
            "The image bytes. Sent images: every member of the room; unsent ones: their uploader only. "
            "Everyone else: 404."
        ),
        responses={
            (200, "image/*"): OpenApiResponse(response=OpenApiTypes.BINARY, description="The image."),
            **error_responses(RoomNotFound, AttachmentNotFound),
        },
    )
    def get(self, request, room_id, attachment_id):
        member = _seat(request, room_id)
        attachment = selectors.attachment_for_download(member=member, attachment_id=attachment_id)
        if attachment is None:
            raise AttachmentNotFound()
        response = FileResponse(attachment.image.open("rb"), content_type=attachment.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ChatRoomLeaveApi(APIView):
    @extend_schema(
        operation_id="chat_room_leave",
        description=(
            "Leaves for good: adds `<display_name>님이 나갔습니다.`, closes your sockets in the room at once, tells "
            "the others (`member_left`) and closes the room (`room_closed`) when your whole group has left."
        ),
        request=None,
        responses={200: serializers.ChatLeaveOutputSerializer, **error_responses(RoomNotFound)},
    )
    def post(self, request, room_id):
        services.chat_room_leave(user=request.user, room_id=room_id)
        return v1_response({"message": _("You have left the chat room.")})


class ChatRoomReadApi(APIView):
    @extend_schema(
        operation_id="chat_room_read",
        description=(
            "Moves your read position forward to this message (never back) and returns your unread count. The"
            " others get a `read` event on the room socket when it moved."
        ),
        request=serializers.ChatReadInputSerializer,
        responses={200: serializers.ChatReadOutputSerializer, **error_responses(RoomNotFound, MessageNotFound)},
    )
    def post(self, request, room_id):
        _seat(request, room_id)
        data = serializers.ChatReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        state = services.chat_room_mark_read(
            user=request.user, room_id=room_id, last_read_message_id=data.validated_data["last_read_message_id"]
        )
        body = {"unread_count": state.unread_count, "last_read_at": state.last_read_at}
        return v1_response(serializers.ChatReadOutputSerializer(body).data)

