from django.urls import path

from calls.consumers import CallSignalingConsumer

websocket_urlpatterns = [
    path("ws/call/<str:call_session_id>/", CallSignalingConsumer.as_asgi()),
]
