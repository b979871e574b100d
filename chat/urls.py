from chat import views
from config.urls_helpers import v1_path

urlpatterns = [
    *v1_path("matching/chats", views.ChatRoomListApi.as_view(), "chat-rooms"),
    *v1_path("matching/chats/<uuid:room_id>", views.ChatRoomDetailApi.as_view(), "chat-room"),
    *v1_path("matching/chats/<uuid:room_id>/messages", views.ChatMessagesApi.as_view(), "chat-messages"),
    *v1_path("matching/chats/<uuid:room_id>/attachments", views.ChatAttachmentUploadApi.as_view(), "chat-attachments"),
    *v1_path(
        "matching/chats/<uuid:room_id>/attachments/<uuid:attachment_id>",
        views.ChatAttachmentFileApi.as_view(),
        "chat-attachment-file",
    ),
    *v1_path("matching/chats/<uuid:room_id>/leave", views.ChatRoomLeaveApi.as_view(), "chat-leave"),
    *v1_path("matching/chats/<uuid:room_id>/read", views.ChatRoomReadApi.as_view(), "chat-read"),
]
