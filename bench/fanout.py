"""Chat fan-out: rooms × 8 connected members on Redis; send → every other member's receive.

For each channel layer (``RedisChannelLayer``, then ``RedisPubSubChannelLayer``), a server
process per kind of room, both up at once, and one load process holding every socket of both:

1. the baseline: bare echo rooms (``bench.asgi.EchoRoomConsumer``: group_send and forward, no
   authentication, no database) with the same rooms, members, send rate and layer;
2. the product: ``/ws/matching/chats/<room_id>`` sockets of real members sending ``message``
   frames (validated, rate-limited, stored, broadcast, shaped per reader).

Messages go round robin over rooms and members at a fixed rate; each is expected at the 7 other
members; lost and duplicated deliveries are counted. The timed windows alternate between the
kinds (echo, chat, then chat, echo, ...), so a slow spell of the shared host, which lasts
seconds to minutes, weighs on both sides of the ratio.

    .venv/bin/python -m bench.fanout [--smoke] [--rooms N] [--rate R] [--duration S] [--windows N]
"""

import argparse
import contextlib
import json
import random
from statistics import median

from bench import common

LAYERS = {"core": "channels_redis.core.RedisChannelLayer", "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer"}
PRODUCTION_LAYER = "RedisChannelLayer"
MEMBERS = 8


def build(rooms_count: int) -> list[list[str]]:
    """Rooms of 8 members (4 + 4, half blind); each member's socket path with its token."""
    from django.utils import timezone

    from bench.data import access_token, make_users, set_last_messages
    from chat.models import ChatMember, ChatRoom, Message

    rng = random.Random(5)
    now = timezone.now()
    users = make_users(rooms_count * MEMBERS, prefix="fan", rng=rng)
    rooms = ChatRoom.objects.bulk_create(
        ChatRoom(
            proposal_id=f"{i:08x}-0000-4000-8000-000000000001", room_name="과팅 매칭 - 2026.11.22",
            display_mode="blind" if i % 2 else "open", created_at=now,
        )
        for i in range(rooms_count)
    )
    seats = []
    for index, room in enumerate(rooms):
        for seat in range(MEMBERS):
            group = "A" if seat < MEMBERS // 2 else "B"
            position = seat % (MEMBERS // 2) + 1
            seats.append(ChatMember(room=room, user=users[index * MEMBERS + seat], group=group, position=position,
                                    display_name=f"{group}{position}"))
    ChatMember.objects.bulk_create(seats, batch_size=5000)
    Message.objects.bulk_create(
        (Message(room=room, message_type="system", content="매칭이 성사되었습니다!", created_at=now) for room in rooms),
        batch_size=5000,
    )
    set_last_messages()
    return [
        [f"/ws/matching/chats/{room.id}?token={access_token(users[index * MEMBERS + seat])}" for seat in range(MEMBERS)]
        for index, room in enumerate(rooms)
    ]


def run_pair(
    db: str, redis_db: int, layer: str, rooms: dict, rate: float, duration: float, warmup: float, windows: int,
    *, smoke: bool,
) -> dict:
    """A server process per kind (echo, chat), both up at once, with one load process timing
    ``windows`` windows of ``duration`` seconds per kind, alternating between the kinds; returns
    both rows and the chat ÷ echo ratios of the windows' medians."""
    env = common.django_env(db, redis_db, BENCH_CHANNEL_LAYER=layer)
    common.clear_redis(redis_db)
    with contextlib.ExitStack() as stack:
        servers = {kind: stack.enter_context(common.Server(common.PRODUCTION_SERVER, env)) for kind in rooms}
        spec = common.work_dir() / "fanout.json"
        spec.write_text(json.dumps({
            "kinds": {
                kind: {"base": f"ws://{common.HOST}:{servers[kind].port}", "rooms": rooms[kind]} for kind in rooms
            }
        }))
        rows = common.run_load(
            ["ws-fanout", "--file", str(spec), "--rate", str(rate), "--duration", str(duration),
             "--windows", str(windows), "--drain", "10" if not smoke else "5", "--warmup", str(warmup)],
            timeout=600,
        )
        if rows.get("connect_failures"):
            raise SystemExit(f"fanout: {rows['connect_failures']} sockets failed to open ({layer} {rows['kind']})")
        for kind, server in servers.items():
            rows[kind]["server_rss_mb"] = round(server.rss_bytes() / 2**20, 1)
    for kind in rooms:
        print(
            f"fanout {layer} {kind}: p50 {rows[kind]['p50_ms']} ms p99 {rows[kind]['p99_ms']} ms "
            f"(windows: {', '.join(str(w['p99_ms']) for w in rows[kind]['windows'])}) "
            f"lost {rows[kind]['lost']} dup {rows[kind]['duplicated']} "
            f"connect {rows[kind]['connect_per_s']}/s rate {rows[kind]['achieved_rate']}/s",
            flush=True,
        )
    for percentile in ("p50", "p99"):
        chat, echo = (median(w[f"{percentile}_ms"] for w in rows[kind]["windows"]) for kind in ("chat", "echo"))
        rows[f"{percentile}_ratio"] = round(chat / echo, 2)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rooms", type=int)
    parser.add_argument("--rate", type=float)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument("--windows", type=int)
    args = parser.parse_args()
    rooms_count = args.rooms or (1000 if not args.smoke else 3)
    rate = args.rate or (20.0 if not args.smoke else 10.0)
    duration = args.duration or (10.0 if not args.smoke else 1.0)
    args.windows = args.windows or (3 if not args.smoke else 1)
    warmup = 2.0 if not args.smoke else 0.5
    redis_db = 12
    results: dict = {
        "rooms": rooms_count, "members": MEMBERS, "rate": rate, "duration_s": duration, "warmup_s": warmup,
        "layers": {},
    }
    with common.bench_database("fanout") as db:
        common.setup_django(db, redis_db)
        from django.db import connections

        chat_rooms = build(rooms_count)
        connections.close_all()
        rooms = {
            "echo": [[f"/ws/bench/echo/{index}" for _ in range(MEMBERS)] for index in range(rooms_count)],
            "chat": chat_rooms,
        }
        for layer in args.layers.split(","):
            # A stall of the shared host (a server's loop stopped for 150-250 ms with no collection)
            # decides a 10 s window's p99 on its own: the production layer is timed over three
            # windows and its ratios compare the windows' medians; the other layer, measured for
            # comparison, over one.
            windows = args.windows if LAYERS[layer].rsplit(".", 1)[-1] == PRODUCTION_LAYER else 1
            results["layers"][LAYERS[layer]] = run_pair(
                db, redis_db, layer, rooms, rate, duration, warmup, windows, smoke=args.smoke
            )
    results["load_average"] = common.load_average()
    common.save_result("fanout", results, smoke=args.smoke)


if __name__ == "__main__":
    main()
