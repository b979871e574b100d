from django.urls import path

from chat.consumers import ChatRoomConsumer

websocket_urlpatterns = [
    # The seed writes no trailing slash; one is accepted too.
    path("ws/matching/chats/<uuid:room_id>", ChatRoomConsumer.as_asgi()),
    path("ws/matching/chats/<uuid:room_id>/", ChatRoomConsumer.as_asgi()),
]
