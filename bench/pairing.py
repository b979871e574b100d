"""Benchmark of one pairing run over 1,000 / 10,000 / 100,000 waiting pools (not a test).

    .venv/bin/python -m bench.pairing [--smoke] [--repeat N] [SIZE ...]

It needs PostgreSQL (and Redis for the channel layer the events go through). It works in its own
database, ``bench_pairing``, cloned from the suite's migrated template and dropped at the end
(``bench/common.py``). For each size it fills
the pools tables with that many waiting pools of a realistic mix (both genders, 2-8 members,
three preference kinds over 60 departments in 12 major categories, ages up to six days), with
their member accounts, then times:

- ``read``: loading the waiting pools and the pairs proposed before (the run's only reads);
- ``plan``: ``pools.pairing.plan_pairs`` on them (pure Python);
- ``run``: one complete ``pool_pairing_run()`` (read, plan, and writing every proposal with its
  sides, the pool statuses and the ``proposal.received`` events, batch by batch);
- ``idle run``: the next run, when what is left waiting cannot be paired: the cost paid every
  minute by a large backlog.

Figures go in var/bench/pairing.json and, through ``make bench``, docs/benchmarks.md.
"""

import argparse
import io
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
MAJORS = [f"계열{index:02d}" for index in range(12)]
DEPARTMENTS = [(f"학과{index:02d}", MAJORS[index % len(MAJORS)]) for index in range(60)]
MEMBER_COUNTS, MEMBER_WEIGHTS = (2, 3, 4, 5, 6, 7, 8), (30, 30, 22, 8, 5, 3, 2)
MATCH_TYPES, MATCH_WEIGHTS = ("any", "same_department", "major_category"), (50, 25, 25)


def _copy(table: str, columns: list[str], rows) -> None:
    """Loads rows with COPY (tab-separated text): the fastest way to fill 100,000 pools."""
    from django.db import connection

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _copy_users(users: list[tuple]) -> None:
    """Member accounts: every column the User model has, from the given values or the field defaults."""
    from django.contrib.auth import get_user_model

    fields = get_user_model()._meta.concrete_fields
    columns = [field.column for field in fields]

    defaults = [
        _text(field.get_default()) if field.has_default() or not field.null else None for field in fields
    ]
    slots = {column: index for index, column in enumerate(columns)}

    def row(pk, public_id, username, gender, joined):
        values = list(defaults)
        given = {"id": pk, "public_id": public_id, "username": username, "gender": gender, "date_joined": joined,
                 "password": "!"}
        for column, value in given.items():
            values[slots[column]] = _text(value)
        return values

    _copy("accounts_user", columns, (row(*user) for user in users))


def fill(size: int, *, seed: int) -> None:
    from django.db import connection

    rng = random.Random(seed)
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pools_proposalside, pools_proposal, pools_poolmember, pools_pool, accounts_user CASCADE"
        )
    users, pools, members = [], [], []
    user_pk = 0
    for _ in range(size):
        gender = rng.choice(("male", "female"))
        count = rng.choices(MEMBER_COUNTS, MEMBER_WEIGHTS)[0]
        match_type = rng.choices(MATCH_TYPES, MATCH_WEIGHTS)[0]
        department, major = rng.choice(DEPARTMENTS)
        categories = rng.sample(MAJORS, rng.randint(1, 3)) if match_type == "major_category" else []
        created_at = now - timedelta(seconds=rng.randint(0, 6 * 86400))
        pool_id = uuid.uuid4()
        first_pk = user_pk + 1
        for position in range(1, count + 1):
            user_pk += 1
            users.append((user_pk, uuid.uuid4(), f"bench_{user_pk}", gender, now.isoformat()))
            members.append((pool_id, user_pk, position))
        categories_json = "[" + ", ".join(f'"{category}"' for category in categories) + "]"
        pools.append(
            (
                pool_id, first_pk, "서울대학교", department, major, "3학년", gender, count, match_type,
                categories_json, "blind", "즐겁게 만나요!", "waiting", created_at.isoformat(),
                (created_at + timedelta(days=7)).isoformat(),
            )
        )
    _copy_users(users)
    _copy(
        "pools_pool",
        [
            "id", "creator_id", "school_name", "department", "major_category", "grade", "gender", "member_count",
            "preferred_match_type", "preferred_categories", "matching_type", "message", "status", "created_at",
            "expires_at",
        ],
        pools,
    )
    _copy("pools_poolmember", ["pool_id", "user_id", "position", "is_active"], ((*row, "t") for row in members))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [user_pk])
        cursor.execute("ANALYZE accounts_user, pools_pool, pools_poolmember, pools_proposal, pools_proposalside")


def load_candidates() -> tuple[list, dict]:
    from django.utils import timezone

    from pools import services
    from pools.models import Pool
    from pools.pairing import Candidate

    rows = (
        Pool.objects.filter(status="waiting", expires_at__gt=timezone.now())
        .order_by("created_at", "pk")
        .values_list(
            "pk", "gender", "member_count", "preferred_match_type", "department", "major_category",
            "preferred_categories",
        )
    )
    candidates = [
        Candidate(pk, gender, count, kind, department, major, frozenset(cats) if kind == "major_category" else frozenset())
        for pk, gender, count, kind, department, major, cats in rows.iterator(chunk_size=5000)
    ]
    return candidates, services._pairs_proposed_before()


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def measure(size: int, *, seed: int) -> dict:
    from pools import services
    from pools.pairing import plan_pairs

    _, fill_s = timed(lambda: fill(size, seed=seed))
    (candidates, before), read_s = timed(load_candidates)
    pairs, plan_s = timed(lambda: plan_pairs(candidates, before))
    result, run_s = timed(services.pool_pairing_run)
    idle, idle_s = timed(services.pool_pairing_run)
    assert result.planned == len(pairs) and idle.proposed == 0
    return {
        "fill": fill_s, "read": read_s, "plan": plan_s, "pairs": len(pairs), "run": run_s,
        "proposed": result.proposed, "idle": idle_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int)
    parser.add_argument("--smoke", action="store_true", help="sizes 100 and 1,000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=1, help="fill and run each size this many times; the fastest run is shown"
    )
    args = parser.parse_args()
    sizes = args.sizes or ([100, 1_000] if args.smoke else list(SIZES))
    redis_db = 10
    rows = []
    with common.bench_database("pairing") as db:
        common.setup_django(db, redis_db)
        from django.db import connections

        print(f"load average before: {common.load_average()}")
        print(f"{'waiting':>8} {'fill s':>7} {'read s':>7} {'plan s':>7} {'pairs':>7} {'run s':>7} "
              f"{'proposed':>8} {'µs/pool':>8} {'idle s':>7}")
        for size in sizes:
            best = None
            for _ in range(args.repeat):
                figures = measure(size, seed=args.seed)
                if best is None or figures["run"] < best["run"]:
                    best = figures
            rows.append({
                "size": size, "fill_s": round(best["fill"], 2), "read_s": round(best["read"], 3),
                "plan_s": round(best["plan"], 3), "pairs": best["pairs"], "run_s": round(best["run"], 3),
                "proposed": best["proposed"], "us_per_pool": round(best["run"] / size * 1e6, 1),
                "idle_s": round(best["idle"], 3),
            })
            print(
                f"{size:>8,} {best['fill']:>7.1f} {best['read']:>7.2f} {best['plan']:>7.2f} {best['pairs']:>7,} "
                f"{best['run']:>7.2f} {best['proposed']:>8,} {best['run'] / size * 1e6:>8.0f} {best['idle']:>7.2f}",
                flush=True,
            )
        connections.close_all()
    growth = {
        f"{a['size']:,} → {b['size']:,}": round(b["us_per_pool"] / a["us_per_pool"], 2)
        for a, b in zip(rows, rows[1:])
    }
    common.save_result(
        "pairing", {"rows": rows, "growth": growth, "repeat": args.repeat, "load_average": common.load_average()},
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
