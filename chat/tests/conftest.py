import pytest

from chat.tests.factories import open_room
from config import realtime


@pytest.fixture
def blind_room(db):
    """A blind room: two users in group A, two in group B (``room.summary``, ``room.a``, ``room.b``)."""
    return Room(*open_room(a=2, b=2, display_mode="blind"))


@pytest.fixture
def open_mode_room(db):
    return Room(*open_room(a=2, b=2, display_mode="open"))


class Room:
    def __init__(self, summary, users_a, users_b):
        self.summary = summary
        self.id = summary.room_id
        self.a = users_a
        self.b = users_b

    @property
    def everyone(self):
        return [*self.a, *self.b]

    def url(self, suffix: str = "") -> str:
        return f"/api/v1/matching/chats/{self.id}{suffix}"


@pytest.fixture
def sent_events(monkeypatch):
    """Every channel-layer message sent after commit, as (group, message), in order."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "group_send_now", lambda group, message: sent.append((group, message)))
    return sent
