"""ASGI servers: the same application under daphne, uvicorn and granian, one process each.

HTTP: the bare view and the authenticated profile (closed loop, keep-alive). WebSocket:
authenticated ``/ws/events/`` sockets doing ping → pong round trips, and how fast sockets open.
Two rounds, interleaved (a b c a b c), averaged. Production runs the server these numbers
favour (``common.PRODUCTION_SERVER``).

    .venv/bin/python -m bench.servers [--smoke]
"""

import argparse
import json

from bench import common


def measure(server: str, env: dict, tokens_path, duration: float, warmup: float, http_c: int, ws_c: int) -> dict:
    with common.Server(server, env) as running:
        row = {"rss_start_mb": round(running.rss_bytes() / 2**20, 1)}
        for name, path in (("bare", "/bench/bare/"), ("profile", "/api/user/profile/")):
            row[name] = common.run_load([
                "http", "--url", running.base + path, "--tokens-file", str(tokens_path),
                "--concurrency", str(http_c), "--duration", str(duration), "--warmup", str(warmup),
            ])
            if row[name]["ok"] != row[name]["requests"]:
                raise SystemExit(f"servers: {server} {name} answered {row[name]['statuses']}")
        row["ws_ping"] = common.run_load([
            "ws-ping", "--url", f"ws://{common.HOST}:{running.port}/ws/events/",
            "--tokens-file", str(tokens_path), "--concurrency", str(ws_c),
            "--duration", str(duration), "--warmup", str(warmup),
        ])
        if row["ws_ping"]["connect_failures"]:
            raise SystemExit(f"servers: {server} refused {row['ws_ping']['connect_failures']} sockets")
    return row


def _mean(rows: list[dict]) -> dict:
    """The rounds' mean of requests/s and percentiles."""
    merged = {"rss_start_mb": round(sum(r["rss_start_mb"] for r in rows) / len(rows), 1)}
    for metric in ("bare", "profile", "ws_ping"):
        merged[metric] = {
            key: round(sum(r[metric][key] for r in rows) / len(rows), 1) for key in ("rps", "p50_ms", "p99_ms")
        }
    return merged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    duration, warmup, http_c, ws_c = (3.0, 1.0, 16, 32) if not args.smoke else (0.5, 0.2, 4, 4)
    round_count = 2 if not args.smoke else 1
    redis_db = 11
    with common.bench_database("servers") as db:
        common.setup_django(db, redis_db)
        from django.db import connections

        from bench.data import access_token, make_users

        users = make_users(ws_c, prefix="srv", age=30, gender="female")
        tokens_path = common.work_dir() / "servers-tokens.json"
        tokens_path.write_text(json.dumps([access_token(user) for user in users]))
        connections.close_all()
        env = common.django_env(db, redis_db)
        # Rounds interleave the servers (a b c a b c), so drift on a shared host hits each alike.
        rounds: dict[str, list[dict]] = {server: [] for server in common.SERVERS}
        for round_index in range(round_count):
            for server in common.SERVERS:
                common.clear_redis(redis_db)
                row = measure(server, env, tokens_path, duration, warmup, http_c, ws_c)
                rounds[server].append(row)
                print(
                    f"servers {server} (round {round_index + 1}): bare {row['bare']['rps']}/s "
                    f"profile {row['profile']['rps']}/s ws ping {row['ws_ping']['rps']}/s "
                    f"(p99 {row['ws_ping']['p99_ms']} ms)",
                    flush=True,
                )
    results = {server: _mean(rows) for server, rows in rounds.items()}
    best = {
        metric: max(results, key=lambda s: results[s][metric]["rps"]) for metric in ("bare", "profile", "ws_ping")
    }
    common.save_result(
        "servers",
        {
            "servers": results,
            "best": best,
            "production": common.PRODUCTION_SERVER,
            "concurrency": {"http": http_c, "ws": ws_c},
            "duration_s": duration,
            "rounds": round_count,
            "per_round": rounds,
            "load_average": common.load_average(),
        },
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
