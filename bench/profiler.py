"""A sampling profiler for benchmark servers (py-spy is not installed here).

``BENCH_PROFILE=<path>`` in a server's environment (read by ``bench/asgi.py``) starts a thread
that samples every thread's stack every 10 ms, and an event-loop lag probe; on exit (SIGTERM) it
writes the hottest stacks and the lag percentiles to ``<path>``.
"""

import asyncio
import atexit
import collections
import signal
import sys
import threading
import time

_samples: collections.Counter = collections.Counter()
_leaves: collections.Counter = collections.Counter()
_lags: list[float] = []
_total = [0]
_gc: dict = {"start": 0.0, "pauses": {0: [], 1: [], 2: []}}


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _gc["start"] = time.perf_counter()
    else:
        _gc["pauses"][info["generation"]].append(time.perf_counter() - _gc["start"])


def _frame_key(frame, depth: int = 16) -> tuple:
    stack = []
    while frame is not None and len(stack) < depth:
        code = frame.f_code
        stack.append(f"{code.co_filename.split('site-packages/')[-1]}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(reversed(stack))


def _sampler(interval: float) -> None:
    me = threading.get_ident()
    while True:
        time.sleep(interval)
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            key = _frame_key(frame)
            leaf = key[-1] if key else ""
            if leaf.endswith((" select", " _worker", " get")) or "threading.py" in leaf or "runners.py" in leaf:
                continue  # an idle event loop or worker thread
            _samples[key] += 1
            _leaves[key[-1]] += 1
        _total[0] += 1


async def _lag_probe() -> None:
    while True:
        start = time.perf_counter()
        await asyncio.sleep(0.01)
        _lags.append(time.perf_counter() - start - 0.01)


def _dump(path: str) -> None:
    with open(path, "w") as out:
        out.write(f"samples: {_total[0]}\n")
        if _lags:
            ordered = sorted(_lags)
            out.write(
                f"event loop lag ms: p50 {ordered[len(ordered) // 2] * 1000:.1f} p99 {ordered[int(len(ordered) * 0.99)] * 1000:.1f} max {ordered[-1] * 1000:.1f}\n"
            )
        for generation, pauses in _gc["pauses"].items():
            if pauses:
                out.write(f"gc generation {generation}: {len(pauses)} collections, total {sum(pauses) * 1000:.0f} ms, "
                          f"max {max(pauses) * 1000:.1f} ms\n")
        out.write("\n== leaf functions\n")
        for leaf, count in _leaves.most_common(40):
            out.write(f"{count:6d} {leaf}\n")
        out.write("\n== stacks\n")
        for key, count in _samples.most_common(25):
            out.write(f"{count:6d}\n    " + "\n    ".join(key) + "\n")


_started = [False]


def start(path: str, interval: float = 0.01) -> None:
    import gc

    gc.callbacks.append(_gc_callback)
    threading.Thread(target=_sampler, args=(interval,), daemon=True).start()
    atexit.register(_dump, path)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        _dump(path)
        if callable(previous):
            previous(signum, frame)
        else:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)


def ensure_lag_probe() -> None:
    """Starts the lag probe on the running loop (called from the first ASGI call)."""
    if not _started[0]:
        _started[0] = True
        asyncio.get_running_loop().create_task(_lag_probe())
