"""Idle sockets: memory per authenticated idle ``/ws/events/`` socket, per ASGI server.

A load process opens N sockets (one per user, authenticated, subscribed to the user's groups)
and holds them; the server's resident memory is read before (after a small warm-up) and after.
Per socket = growth / N; sockets per GB = 1 GiB / per socket (memory beyond the process's own).

    .venv/bin/python -m bench.idle [--smoke] [--sockets N]
"""

import argparse
import json
import subprocess
import time

from bench import common


def hold(server: common.Server, tokens_path, hold_s: float) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [common.PYTHON, str(common.ROOT / "bench" / "loadgen.py"), "ws-hold", "--url",
         f"ws://{common.HOST}:{server.port}/ws/events/", "--tokens-file", str(tokens_path), "--hold", str(hold_s)],
        cwd=common.ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait(10)
        raise SystemExit(f"idle: the load process ended early ({process.returncode})")
    return process, json.loads(line)


def release(process: subprocess.Popen) -> dict:
    process.stdin.close()
    out = process.stdout.read()
    process.wait(60)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--sockets", type=int)
    parser.add_argument("--servers", default=",".join(common.SERVERS))
    args = parser.parse_args()
    count = args.sockets or (1500 if not args.smoke else 20)
    warm = 50 if not args.smoke else 2
    redis_db = 11
    results: dict = {"sockets": count, "servers": {}}
    with common.bench_database("idle") as db:
        common.setup_django(db, redis_db)
        from django.db import connections

        from bench.data import access_token, make_users

        users = make_users(count + warm, prefix="idle")
        tokens = [access_token(user) for user in users]
        connections.close_all()
        warm_path = common.work_dir() / "idle-warm-tokens.json"
        warm_path.write_text(json.dumps(tokens[:warm]))
        tokens_path = common.work_dir() / "idle-tokens.json"
        tokens_path.write_text(json.dumps(tokens[warm:]))
        for name in args.servers.split(","):
            common.clear_redis(redis_db)
            with common.Server(name, common.django_env(db, redis_db)) as server:
                warm_process, _ = hold(server, warm_path, 600)
                time.sleep(1)
                before = server.rss_bytes()
                process, opened = hold(server, tokens_path, 600)
                time.sleep(2)
                after = server.rss_bytes()
                held = release(process)
                release(warm_process)
            if opened["failed"] or held["still_open"] != count:
                raise SystemExit(f"idle: {name} kept {held['still_open']} of {count} sockets ({opened})")
            per_socket = max(1, after - before) / count
            results["servers"][name] = {
                "rss_before_mb": round(before / 2**20, 1),
                "rss_after_mb": round(after / 2**20, 1),
                "per_socket_kb": round(per_socket / 1024, 1),
                "sockets_per_gb": int(2**30 / per_socket),
                "connect_s": opened["connect_s"],
                "connect_per_s": round(count / opened["connect_s"], 1),
            }
            print(f"idle {name}: {results['servers'][name]}", flush=True)
    results["load_average"] = common.load_average()
    common.save_result("idle", results, smoke=args.smoke)


if __name__ == "__main__":
    main()
