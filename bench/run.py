"""Runs the benchmark suite and writes the report.

    .venv/bin/python -m bench.run            # make bench: every benchmark, docs/benchmarks.md
    .venv/bin/python -m bench.run --smoke    # make bench-smoke: each at a tiny size (CI)
    .venv/bin/python -m bench.run --only rest,gems

Each benchmark runs in a process of its own (it configures Django on its own database) and
saves its figures in var/bench/<name>.json. The run exits non-zero when a benchmark crashes or
produces wrong results (lost money, refused requests), never because a target is missed.
Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL give their host; defaults: localhost).
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# One id per suite run: every database and Redis key of this run carries it (bench/common.py).
os.environ["BENCH_RUN_ID"] = f"r{os.getpid()}"

from bench import common, report  # noqa: E402

# Order matters only for the time it takes; each benchmark is independent.
BENCHMARKS = ("servers", "rest", "fanout", "matching", "pairing", "gems", "idle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="each benchmark at a tiny size")
    parser.add_argument("--only", help="comma-separated subset of " + ",".join(BENCHMARKS))
    parser.add_argument("--no-report", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite docs/benchmarks.md from the last run's figures"
    )
    args = parser.parse_args()
    if args.report_only:
        meta = common.load_result("run")
        if meta is None:
            parser.error("no saved run (var/bench/run.json): run make bench first")
        print(f"wrote {report.write(meta)}")
        return
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    common.raise_fd_limit()
    started = time.monotonic()
    load_before = common.load_average()
    common.ensure_template()
    timings: dict[str, float] = {}
    failures: list[str] = []
    try:
        for name in names:
            command = [common.PYTHON, "-m", f"bench.{name}", *(["--smoke"] if args.smoke else [])]
            print(f"== {name}", flush=True)
            begin = time.monotonic()
            try:
                completed = subprocess.run(command, cwd=common.ROOT, timeout=900 if not args.smoke else 180)
                code = completed.returncode
            except subprocess.TimeoutExpired:
                code = "timeout"
            timings[name] = round(time.monotonic() - begin, 1)
            if code != 0:
                failures.append(f"{name} ({code})")
            print(f"== {name}: {'ok' if code == 0 else f'FAILED ({code})'} in {timings[name]} s", flush=True)
    finally:
        common.drop_template()
    if not failures:
        # Scratch files (tokens, request lists, server logs) are kept only when something failed.
        shutil.rmtree(common.work_dir(), ignore_errors=True)
    total = round(time.monotonic() - started, 1)
    meta = {
        "smoke": args.smoke,
        "command": "make bench-smoke" if args.smoke else "make bench",
        "timings": timings,
        "total_s": total,
        "load_before": load_before,
        "load_after": common.load_average(),
        "failures": failures,
    }
    common.save_result("run", meta, smoke=args.smoke)
    if not args.smoke and not args.no_report and not failures and set(names) == set(BENCHMARKS):
        path = report.write(meta)
        print(f"wrote {path}")
    summary = report.summary(smoke=args.smoke)
    print(summary)
    print(f"total {total} s")
    if failures:
        sys.exit(f"benchmarks failed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
