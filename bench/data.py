"""Fast fixtures for benchmarks (Django must be set up): users in bulk and their access tokens."""

import json
import random
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import AccessToken


def make_users(count: int, *, prefix: str, rng: random.Random | None = None, **fields) -> list:
    """``count`` users with unusable passwords, created in batches; fields may be callables(i)."""
    User = get_user_model()
    rng = rng or random.Random(1)
    users = []
    for index in range(count):
        values = {
            "username": f"{prefix}{index}",
            "password": "!",
            "public_id": uuid.uuid4(),
            "age": 18 + rng.randrange(30),
            "gender": rng.choice(("male", "female")),
        }
        for name, value in fields.items():
            values[name] = value(index) if callable(value) else value
        users.append(User(**values))
    return User.objects.bulk_create(users, batch_size=2000)


def access_token(user) -> str:
    return str(AccessToken.for_user(user))


def write_json(path: Path, payload) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload))
    return path


def set_last_messages() -> None:
    """Points every room at its newest message, as the chat services keep ``ChatRoom.last_message``
    (``bulk_create`` bypasses them, and the room list reads that column)."""
    from django.db.models import OuterRef, Subquery

    from chat.models import ChatRoom, Message

    newest = Message.objects.filter(room=OuterRef("pk")).order_by("-created_at", "-seq").values("seq")[:1]
    ChatRoom.objects.update(last_message=Subquery(newest))
