"""Gem ledger under contention (``gems.services.gem_wallet_debit``, straight on PostgreSQL).

1. Correctness: 100 spends of 1 gem at once on one balance of 60, from as many concurrent
   sessions as the server has connections to spare (up to 100; threads released by one barrier):
   exactly 60 succeed, 40 get INSUFFICIENT_GEMS, the balance ends at 0 and the ledger sums to it.
2. Throughput: worker processes spending 1 gem in a loop for a fixed time, all on one hot
   wallet vs each on its own wallet (spread); spends/s and the hot/spread ratio.

    .venv/bin/python -m bench.gems [--smoke]
"""

import argparse
import multiprocessing
import threading
import time

from bench import common


def _spare_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity)"
        )
        return cursor.fetchone()[0]


def contention(attempts: int, balance: int) -> dict:
    from django.db import connection

    from bench.data import make_users
    from gems.errors import InsufficientGems
    from gems.models import GemReason
    from gems.selectors import gem_balance, gem_ledger_sum
    from gems.services import gem_wallet_credit, gem_wallet_debit

    (user,) = make_users(1, prefix="hot")
    gem_wallet_credit(user=user, amount=balance, reason=GemReason.CHARGE, reference="bench:seed")
    sessions = max(2, min(attempts, _spare_connections() - 15))
    barrier = threading.Barrier(sessions)
    outcomes = {"ok": 0, "insufficient": 0, "error": 0}
    lock = threading.Lock()
    per_session = [attempts // sessions + (1 if i < attempts % sessions else 0) for i in range(sessions)]

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for n in range(per_session[index]):
                try:
                    gem_wallet_debit(user=user, amount=1, reason=GemReason.MATCH_FILTER, reference=f"c:{index}:{n}")
                    result = "ok"
                except InsufficientGems:
                    result = "insufficient"
                with lock:
                    outcomes[result] += 1
        except Exception:  # noqa: BLE001 - counted and reported: any other failure fails the benchmark
            with lock:
                outcomes["error"] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    final, ledger = gem_balance(user=user), gem_ledger_sum(user=user)
    correct = outcomes == {"ok": balance, "insufficient": attempts - balance, "error": 0} and final == 0 == ledger
    return {
        "attempts": attempts, "sessions": sessions, "start_balance": balance, **outcomes,
        "final_balance": final, "ledger_sum": ledger, "correct": correct, "seconds": round(elapsed, 3),
    }


def _spend_loop(user_pk: int, tag: str, seconds: float, queue) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from gems.models import GemReason
    from gems.services import gem_wallet_debit

    user = get_user_model().objects.get(pk=user_pk)
    done, stop_at = 0, time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        gem_wallet_debit(user=user, amount=1, reason=GemReason.MATCH_FILTER, reference=f"{tag}:{done}")
        done += 1
    connection.close()
    queue.put(done)


def throughput(workers: int, seconds: float) -> dict:
    from django.db import connections

    from bench.data import make_users
    from gems.models import GemReason
    from gems.services import gem_wallet_credit

    users = make_users(workers + 1, prefix="spender")
    for user in users:
        gem_wallet_credit(user=user, amount=10_000_000, reason=GemReason.CHARGE, reference=f"seed:{user.pk}")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    figures = {}
    for mode in ("spread", "hot"):
        queue = context.Queue()
        processes = [
            context.Process(
                target=_spend_loop,
                args=(users[0].pk if mode == "hot" else users[i + 1].pk, f"{mode}:{i}", seconds, queue),
            )
            for i in range(workers)
        ]
        for process in processes:
            process.start()
        total = sum(queue.get(timeout=seconds + 60) for _ in processes)
        for process in processes:
            process.join()
            if process.exitcode != 0:
                raise SystemExit(f"gems: a {mode} worker failed ({process.exitcode})")
        figures[mode] = {"spends": total, "spends_per_s": round(total / seconds, 1)}
    figures["ratio"] = round(figures["hot"]["spends_per_s"] / figures["spread"]["spends_per_s"], 3)
    figures["workers"] = workers
    figures["seconds"] = seconds
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    attempts, balance = (100, 60) if not args.smoke else (10, 6)
    workers, seconds = (8, 5.0) if not args.smoke else (2, 0.5)
    with common.bench_database("gems") as db:
        common.setup_django(db, 10)
        race = contention(attempts, balance)
        print(f"gems contention: {race}", flush=True)
        if not race["correct"]:
            raise SystemExit("gems: the contention result is wrong")
        speed = throughput(workers, seconds)
        print(f"gems throughput: {speed}", flush=True)
    common.save_result("gems", {"contention": race, "throughput": speed, "load_average": common.load_average()},
                       smoke=args.smoke)


if __name__ == "__main__":
    main()
