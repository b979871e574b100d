"""Rooms are built through the real service, as the pools app builds them."""

import uuid

from chat.services import RoomGroupSpec, chat_room_open_for_proposal
from config.testing import UserFactory


def open_room(*, a: int = 2, b: int = 2, display_mode: str = "blind", users_a=None, users_b=None, proposal_id=None):
    """Opens a room with fresh users (or the given ones); returns (summary, users_a, users_b)."""
    users_a = users_a if users_a is not None else [UserFactory() for _ in range(a)]
    users_b = users_b if users_b is not None else [UserFactory(gender="female") for _ in range(b)]
    summary = chat_room_open_for_proposal(
        proposal_id=proposal_id or uuid.uuid4(),
        group_a=RoomGroupSpec(user_ids=[u.pk for u in users_a], department="컴퓨터공학과", grade="3학년"),
        group_b=RoomGroupSpec(user_ids=[u.pk for u in users_b], department="경영학과", grade="2학년"),
        display_mode=display_mode,
    )
    return summary, users_a, users_b
