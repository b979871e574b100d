from django.urls import path

from accounts.consumers import EventsConsumer

websocket_urlpatterns = [
    path("ws/events/", EventsConsumer.as_asgi()),
    path("ws/events", EventsConsumer.as_asgi()),
]
