"""The prose of docs/benchmarks.md that the figures do not say by themselves: method, the server
and channel-layer choices, the profiling behind each fix, and why a missed target is missed."""

METHOD = """
## Method

- **Separate load process on loopback.** Every server is started as its own process on a free
  `127.0.0.1` port; the load comes from another process (`bench/loadgen.py`: a small HTTP/1.1
  keep-alive client on raw asyncio streams with uvloop, and the `websockets` client), bounded in
  request count and time. On this 2-core machine the load process, the server, PostgreSQL and
  Redis share the cores, so absolute figures are lower than on a dedicated host; the ratios are
  what the targets are about.
- **Baselines in the same run.** REST endpoints against a bare constant `JsonResponse` view
  (behind the full middleware stack, no DRF/auth/database), measured before and after them; the
  chat fan-out against a bare Channels echo through the same channel layer; random matching
  against the same request on an empty queue; hot gem spends against spread ones.
- **Only in benchmarks.** The bare view (`bench/urls.py`) and the echo consumer (`bench/asgi.py`)
  are mounted by `bench/settings.py` (`ROOT_URLCONF = "bench.urls"`), which only benchmark
  processes load. Rate limits are raised for the benchmark servers (`RATE_LIMITS_OVERRIDE`) so no
  request is refused; the counters still run, so their cost is measured.
- **Own databases.** Each benchmark clones a migrated template into `bench_<name>` and drops it
  afterwards; Redis databases 10-12 only.
- **Profiling.** `BENCH_PROFILE_DIR=/tmp/prof .venv/bin/python -m bench.<name>` runs the servers
  with a sampling profiler (`bench/profiler.py`: every thread's stack every 10 ms, plus an
  event-loop lag probe); `django.test.utils.CaptureQueriesContext` and cProfile for in-process
  views. That is how each fix below was found.
"""

REST = ""
SERVERS = ""
FANOUT = ""
MATCHING = ""
PAIRING = ""
GEMS = ""
IDLE = ""

WHY_MISSED: dict[str, str] = {}

CHANGES = """
## Changes made from these measurements
"""

REPRODUCING = """
## Reproducing

```
make bench          # every benchmark (about 12 minutes here), rewrites this file
make bench-smoke    # each benchmark at a tiny size (CI), under 2 minutes; fails only on a crash
.venv/bin/python -m bench.run --only rest,gems --no-report   # a subset; figures in var/bench/*.json
.venv/bin/python -m bench.fanout --rooms 300 --rate 20       # one benchmark with other sizes
```

They need PostgreSQL and Redis; `DATABASE_URL` and `REDIS_URL` give the hosts (the database
names in them are not used: every benchmark works in `bench_*` databases of its own, and in Redis
databases 10-12).
"""
