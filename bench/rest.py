"""REST overhead: authenticated reads against a bare constant ``JsonResponse`` view, same server,
same run, load from a separate process (``bench/loadgen.py http``).

Endpoints: ``GET /api/user/profile/``, ``GET /api/history/recent/`` (50 calls),
``GET /api/v1/matching/chats`` (20 rooms), ``GET .../messages?limit=50`` (a room of 1,000
messages), and ``/bench/bare/`` measured first and last (the baseline is their mean, so drift
shows). Query counts are counted in-process for two data sizes to show they do not grow.

    .venv/bin/python -m bench.rest [--smoke] [--server NAME]
"""

import argparse
import random
import sys
from datetime import timedelta

from bench import common


def _calls(user, partners, count: int, now) -> None:
    from calls.models import CallSession
    from matching.models import Match
    from ratings.models import Rating

    def at(i, minutes):
        return now - timedelta(days=i % 29, hours=i % 7, minutes=minutes)

    matches = Match.objects.bulk_create(
        Match(
            user_a=user, user_b=partners[i], status="matched", decision_a="accept", decision_b="accept",
            created_at=at(i, 5), expires_at=at(i, 4), matched_at=at(i, 4), closed_at=at(i, 4),
        )
        for i in range(count)
    )
    calls = CallSession.objects.bulk_create(
        CallSession(
            match=match, caller=user, callee=match.user_b, started_at=match.matched_at,
            ended_at=match.matched_at + timedelta(minutes=3), duration_seconds=180, end_reason="hangup",
        )
        for match in matches
    )
    Rating.objects.bulk_create(Rating(call=call, rater=user, rated=call.callee, score=3) for call in calls[::2])


def build(*, smoke: bool) -> dict:
    """The benchmark user ``me`` with 50 calls and 20 rooms (one with 1,000 messages), a user
    ``small`` with 5 calls and 2 rooms (for query counts), plus others' rooms and messages."""
    from django.db import connection
    from django.utils import timezone

    from bench.data import make_users, set_last_messages
    from chat.models import ChatMember, ChatRoom, Message
    from ratings.models import RatingSummary

    rng = random.Random(3)
    now = timezone.now()
    me, small = make_users(2, prefix="me", age=25, gender="male", profile_image="profiles/bench.jpg")
    partners = make_users(60, prefix="partner")
    _calls(me, partners, 50, now)
    _calls(small, partners, 5, now)
    RatingSummary.objects.bulk_create(RatingSummary(user=p, rating_count=1, rating_sum=4) for p in partners)

    my_rooms, other_rooms = 20, (300 if not smoke else 10)
    big_room_messages = 1000 if not smoke else 200
    crowd = make_users(8 * 20, prefix="crowd")
    rooms = ChatRoom.objects.bulk_create(
        ChatRoom(
            proposal_id=f"{i:08x}-0000-4000-8000-000000000000", room_name="과팅 매칭 - 2026.11.22",
            display_mode="blind" if i % 2 else "open", created_at=now - timedelta(days=1),
        )
        for i in range(my_rooms + other_rooms)
    )
    members = []
    for index, room in enumerate(rooms):
        owner = me if index < my_rooms else small if index < my_rooms + 2 else None
        seated = ([owner] if owner else []) + rng.sample(crowd, 8 - (1 if owner else 0))
        for seat, user in enumerate(seated):
            group = "A" if seat < 4 else "B"
            position = seat % 4 + 1
            members.append(ChatMember(room=room, user=user, group=group, position=position,
                                      display_name=f"{group}{position}"))
    members = ChatMember.objects.bulk_create(members, batch_size=2000)
    seats_by_room: dict = {}
    for member in members:
        seats_by_room.setdefault(member.room_id, []).append(member)
    messages = []
    for index, room in enumerate(rooms):
        count = big_room_messages if index == 0 else 20
        for n in range(count):
            messages.append(Message(
                room=room, sender=seats_by_room[room.id][n % 8], message_type="text",
                content=f"안녕하세요 메시지 {n} " + "가" * rng.randint(5, 80),
                created_at=now - timedelta(hours=20) + timedelta(seconds=n),
            ))
    Message.objects.bulk_create(messages, batch_size=5000)
    set_last_messages()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"me": me, "small": small, "room_id": str(rooms[0].id)}


def query_counts(me, small, room_id) -> dict:
    """Queries per request at two data sizes: equal counts mean the count does not grow with size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.data import access_token

    def count(user, path: str) -> int:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return len(queries)

    return {
        "profile": count(me, "/api/user/profile/"),
        "history, 50 calls": count(me, "/api/history/recent/"),
        "history, 5 calls": count(small, "/api/history/recent/"),
        "chats, 20 rooms": count(me, "/api/v1/matching/chats"),
        "chats, 2 rooms": count(small, "/api/v1/matching/chats"),
        "messages, limit=100": count(me, f"/api/v1/matching/chats/{room_id}/messages?limit=100"),
        "messages, limit=10": count(me, f"/api/v1/matching/chats/{room_id}/messages?limit=10"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--server", default=common.PRODUCTION_SERVER)
    args = parser.parse_args()
    duration, warmup, concurrency = (5.0, 1.0, 16) if not args.smoke else (0.5, 0.2, 4)
    redis_db = 10
    with common.bench_database("rest") as db:
        common.setup_django(db, redis_db)
        from bench.data import access_token

        data = build(smoke=args.smoke)
        counts = query_counts(data["me"], data["small"], data["room_id"])
        from django.db import connections

        connections.close_all()
        tokens = common.work_dir() / "rest-tokens.json"
        tokens.write_text(f'["{access_token(data["me"])}"]')
        endpoints = [
            ("bare (before)", "/bench/bare/"),
            ("profile", "/api/user/profile/"),
            ("history", "/api/history/recent/"),
            ("chats", "/api/v1/matching/chats"),
            ("messages?limit=50", f"/api/v1/matching/chats/{data['room_id']}/messages?limit=50"),
            ("bare (after)", "/bench/bare/"),
        ]
        rows = {}
        with common.Server(args.server, common.django_env(db, redis_db)) as server:
            for name, path in endpoints:
                rows[name] = common.run_load([
                    "http", "--url", server.base + path, "--tokens-file", str(tokens),
                    "--concurrency", str(concurrency), "--duration", str(duration), "--warmup", str(warmup),
                ])
                print(f"rest {name}: {rows[name]['rps']} req/s p50 {rows[name]['p50_ms']} ms "
                      f"p99 {rows[name]['p99_ms']} ms {rows[name]['statuses']}", flush=True)
        bad = {name: row["statuses"] for name, row in rows.items() if row["ok"] != row["requests"]}
        if bad:
            sys.exit(f"rest: non-2xx answers {bad}")
    baseline = (rows["bare (before)"]["rps"] + rows["bare (after)"]["rps"]) / 2
    result = {
        "server": args.server,
        "concurrency": concurrency,
        "duration_s": duration,
        "baseline_rps": round(baseline, 1),
        "rows": rows,
        "ratios": {name: round(row["rps"] / baseline, 3) for name, row in rows.items()},
        "query_counts": counts,
        "load_average": common.load_average(),
    }
    common.save_result("rest", result, smoke=args.smoke)


if __name__ == "__main__":
    main()
