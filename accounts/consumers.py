from config import realtime
from config.websocket import AuthenticatedJsonConsumer


class EventsConsumer(AuthenticatedJsonConsumer):
    """``/ws/events/``: one socket per device for every per-user event (CONTRACT §9)."""

    async def subscribe(self) -> None:
        await self.join_group(realtime.user_group(self.user.public_id))

    async def user_event(self, message: dict) -> None:
        await self.send_json(message["event"])
