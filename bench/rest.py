"""REST overhead: authenticated reads against a bare constant ``JsonResponse`` view, same server,
same run, load from a separate process (``bench/loadgen.py http``).

Endpoints: ``GET /api/user/profile/``, ``GET /api/history/recent/`` (50 calls),
``GET /api/v1/matching/chats`` (20 rooms), ``GET .../messages?limit=50`` (a room of 1,000
messages), in interleaved rounds with ``/bench/bare/`` (see ``main``), with the server process's
CPU time per request. Query counts are counted in-process for two data sizes to show they do not
grow.

    .venv/bin/python -m bench.rest [--smoke] [--server NAME] [--rounds N]
"""

import argparse
import random
import sys
from datetime import timedelta
from statistics import median

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
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    duration, warmup, concurrency, rounds = (3.0, 0.5, 16, 5) if not args.smoke else (0.5, 0.2, 4, 1)
    rounds = args.rounds or rounds
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
            ("profile", "/api/user/profile/"),
            ("history", "/api/history/recent/"),
            ("chats", "/api/v1/matching/chats"),
            ("messages?limit=50", f"/api/v1/matching/chats/{data['room_id']}/messages?limit=50"),
        ]
        # Rounds of (bare, every endpoint), and the bare view once more at the end: each endpoint's
        # ratio in a round is against the mean of the bare runs just before and after that round,
        # and the figures are the median over rounds, so a slow or fast spell of the shared host
        # moves both sides of a ratio together.
        plan = [(k, name, path) for k in range(rounds) for name, path in [("bare", "/bench/bare/"), *endpoints]]
        plan.append((rounds, "bare", "/bench/bare/"))
        runs: dict[str, list[dict]] = {}
        with common.Server(args.server, common.django_env(db, redis_db)) as server:
            for round_index, name, path in plan:
                cpu_before = server.cpu_seconds()
                row = common.run_load([
                    "http", "--url", server.base + path, "--tokens-file", str(tokens),
                    "--concurrency", str(concurrency), "--duration", str(duration), "--warmup", str(warmup),
                ])
                row["server_cpu_ms"] = round(
                    1000 * (server.cpu_seconds() - cpu_before) / max(1, row["requests_with_warmup"]), 3
                )
                row["round"] = round_index
                runs.setdefault(name, []).append(row)
                print(f"rest round {round_index} {name}: {row['rps']} req/s p50 {row['p50_ms']} ms "
                      f"p99 {row['p99_ms']} ms server CPU {row['server_cpu_ms']} ms/request {row['statuses']}",
                      flush=True)
        bad = {name: [row["statuses"] for row in rows] for name, rows in runs.items()
               if any(row["ok"] != row["requests"] for row in rows)}
        if bad:
            sys.exit(f"rest: non-2xx answers {bad}")
    bare_rps = [row["rps"] for row in runs["bare"]]
    round_ratios = {
        name: [rows[k]["rps"] / ((bare_rps[k] + bare_rps[k + 1]) / 2) for k in range(rounds)]
        for name, rows in runs.items() if name != "bare"
    }
    rows = {
        name: {
            field: round(median([row[field] for row in name_runs]), 3)
            for field in ("rps", "p50_ms", "p99_ms", "server_cpu_ms")
        }
        for name, name_runs in runs.items()
    }
    result = {
        "server": args.server,
        "concurrency": concurrency,
        "duration_s": duration,
        "warmup_s": warmup,
        "rounds": rounds,
        "baseline_rps": round(median(bare_rps), 1),
        "rows": rows,
        "runs": runs,
        "round_ratios": {name: [round(ratio, 3) for ratio in ratios] for name, ratios in round_ratios.items()},
        "ratios": {name: round(median(ratios), 3) for name, ratios in round_ratios.items()},
        "query_counts": counts,
        "load_average": common.load_average(),
    }
    common.save_result("rest", result, smoke=args.smoke)


if __name__ == "__main__":
    main()
