"""ASGI servers: the same application under daphne, uvicorn and granian, one process each.

HTTP: the bare view and the authenticated profile (closed loop, keep-alive). WebSocket:
authenticated ``/ws/events/`` sockets doing ping → pong round trips, and how fast sockets open.
Production runs the server these numbers favour (``common.PRODUCTION_SERVER``).

    .venv/bin/python -m bench.servers [--smoke]
"""

import argparse
import json

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    duration, warmup, http_c, ws_c = (4.0, 1.0, 16, 32) if not args.smoke else (0.5, 0.2, 4, 4)
    redis_db = 11
    results: dict = {}
    with common.bench_database("servers") as db:
        common.setup_django(db, redis_db)
        from django.db import connections

        from bench.data import access_token, make_users

        users = make_users(ws_c, prefix="srv", age=30, gender="female")
        tokens_path = common.work_dir() / "servers-tokens.json"
        tokens_path.write_text(json.dumps([access_token(user) for user in users]))
        connections.close_all()
        env = common.django_env(db, redis_db)
        for server in common.SERVERS:
            common.clear_redis(redis_db)
            with common.Server(server, env) as running:
                rss_idle = running.rss_bytes()
                row = {"rss_start_mb": round(rss_idle / 2**20, 1)}
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
                results[server] = row
                print(
                    f"servers {server}: bare {row['bare']['rps']}/s profile {row['profile']['rps']}/s "
                    f"ws ping {row['ws_ping']['rps']}/s (p99 {row['ws_ping']['p99_ms']} ms)",
                    flush=True,
                )
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
            "load_average": common.load_average(),
        },
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
