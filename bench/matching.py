"""Random matching: ``GET /api/match/random/`` with 10,000 users waiting vs an empty queue.

The queue: 10,000 users with mixed genders, ages, preferences (gender, age ranges, radii, most
unfiltered), locations around five Korean cities, gem wallets for most filtered users, and some
blocked pairs. Requesters: fresh users with the same kind of mix, each asking once.

1. Baseline, empty queue, one request at a time: each requester asks, finds nobody, and
   (untimed) cancels, so the queue stays empty for the next one.
2. The same requesters, one at a time, with the 10,000 waiting: p50/p99 against the baseline.
3. Other requesters, ``--concurrency`` at a time, with the queue: pairs formed per second.

    .venv/bin/python -m bench.matching [--smoke] [--queue N] [--requests N]
"""

import argparse
import json
import random

from bench import common

CITIES = [(37.5665, 126.9780), (35.1796, 129.0756), (35.8714, 128.6014), (37.4563, 126.7052), (36.3504, 127.3845)]


def _profile(rng: random.Random) -> dict:
    """A mix of settings: half unfiltered; the rest narrow gender, age or distance."""
    roll = rng.random()
    settings = {"preferred_gender": "all", "age_min": 18, "age_max": 100, "radius_km": None}
    if roll < 0.5:
        return settings
    if roll < 0.7:
        settings["preferred_gender"] = rng.choice(("male", "female"))
    elif roll < 0.85:
        low = rng.randint(18, 35)
        settings.update(age_min=low, age_max=low + rng.randint(5, 15))
    else:
        settings["radius_km"] = rng.choice((10, 50, 300))
    return settings


def build(queue_size: int, requesters: int) -> tuple[list[int], list[dict]]:
    from django.utils import timezone

    from bench.data import access_token, make_users
    from gems.models import GemWallet
    from matching.models import MatchBlock, MatchSettings

    rng = random.Random(11)
    now = timezone.now()


    waiting = make_users(queue_size, prefix="q", rng=rng, age=lambda i: rng.randint(18, 45))
    askers = make_users(requesters, prefix="r", rng=rng, age=lambda i: rng.randint(20, 35))
    asker_set = set(askers)
    settings_rows, wallets = [], []
    for user in [*waiting, *askers]:
        lat, lng = rng.choice(CITIES)
        user.last_lat, user.last_lng = round(lat + rng.uniform(-0.3, 0.3), 2), round(lng + rng.uniform(-0.3, 0.3), 2)
        profile = _profile(rng)
        settings_rows.append(MatchSettings(user=user, **profile))
        filtered = profile != {"preferred_gender": "all", "age_min": 18, "age_max": 100, "radius_km": None}
        if filtered and (user in asker_set or rng.random() < 0.9):
            wallets.append(GemWallet(user=user, balance=100))
    from django.contrib.auth import get_user_model

    get_user_model().objects.bulk_update([*waiting, *askers], ["last_lat", "last_lng"], batch_size=5000)
    MatchSettings.objects.bulk_create(settings_rows, batch_size=5000)
    GemWallet.objects.bulk_create(wallets, batch_size=5000)
    blocks = set()
    for _ in range(queue_size // 5):
        a, b = sorted(rng.sample(range(len(waiting)), 2))
        blocks.add((waiting[a].pk, waiting[b].pk))
    MatchBlock.objects.bulk_create(
        (MatchBlock(user_low_id=a, user_high_id=b, created_at=now) for a, b in blocks), batch_size=5000
    )
    requests = []
    for user in askers:
        requests.append({
            "path": f"/api/match/random/?lat={user.last_lat}&lng={user.last_lng}",
            "token": access_token(user),
        })
    return [user.pk for user in waiting], requests


def queue_up(waiting_ids: list[int]) -> None:
    """Puts the waiting users in the queue now (longest-waiting spread over the last 30 minutes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET is_matching = true, matching_heartbeat_at = now(), "
            "matching_since = now() - (random() * interval '30 minutes') WHERE id = ANY(%s)",
            [waiting_ids],
        )
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--queue", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    queue_size = args.queue or (10_000 if not args.smoke else 200)
    latency_count = args.requests or (300 if not args.smoke else 10)
    count = latency_count * 3
    concurrency = args.concurrency if not args.smoke else 2
    redis_db = 10
    with common.bench_database("matching") as db:
        common.setup_django(db, redis_db)
        from django.db import connections

        waiting_ids, requests = build(queue_size, count)
        connections.close_all()
        spec_path = common.work_dir() / "matching-requests.json"
        rows = {}
        latency_set, throughput_set = requests[:latency_count], requests[latency_count:]

        def load(name: str, entries: list, concurrency_: int) -> None:
            spec_path.write_text(json.dumps({"base": base, "requests": entries}))
            rows[name] = common.run_load(
                ["http-list", "--file", str(spec_path), "--concurrency", str(concurrency_), "--duration", "120"]
            )

        with common.Server(common.PRODUCTION_SERVER, common.django_env(db, redis_db)) as server:
            base = f"http://{common.HOST}:{server.port}"
            load("empty queue", [{**e, "after": {"method": "POST", "path": "/api/match/cancel/"}} for e in latency_set], 1)
            queue_up(waiting_ids)
            connections.close_all()
            load(f"{queue_size:,} waiting", latency_set, 1)
            load(f"{queue_size:,} waiting, {concurrency} at a time", throughput_set, concurrency)
        for name, row in rows.items():
            print(f"matching {name}: p50 {row['p50_ms']} ms p99 {row['p99_ms']} ms {row['outcomes']} "
                  f"{row['rps']} req/s", flush=True)
            if row["statuses"] != {"200": row["requests"]}:
                raise SystemExit(f"matching: {name} answered {row['statuses']}")
    loaded = rows[f"{queue_size:,} waiting"]
    busy = rows[f"{queue_size:,} waiting, {concurrency} at a time"]
    pairs = busy["outcomes"].get("pending", 0)
    result = {
        "queue": queue_size,
        "requests": {"latency": latency_count, "throughput": count - latency_count},
        "concurrency": concurrency,
        "rows": rows,
        "pairs_per_s": round(pairs / busy["seconds"], 1),
        "p99_ratio": round(loaded["p99_ms"] / rows["empty queue"]["p99_ms"], 2),
        "p50_ratio": round(loaded["p50_ms"] / rows["empty queue"]["p50_ms"], 2),
        "load_average": common.load_average(),
    }
    common.save_result("matching", result, smoke=args.smoke)


if __name__ == "__main__":
    main()
