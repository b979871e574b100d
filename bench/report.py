"""Turns the figures in var/bench/*.json into docs/benchmarks.md (and a short summary)."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench import common
from bench.fanout import PRODUCTION_LAYER

DOC = common.ROOT / "docs" / "benchmarks.md"
MET, MISSED = "**met**", "**missed**"
# The channel layer config/settings.py configures (section 3 says why).


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(header: list[str], rows: list[list], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(_fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _machine() -> list[list[str]]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psycopg

        with psycopg.connect(
            host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, password=common.PG_PASSWORD or None,
            dbname="postgres",
        ) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - the report still renders without it
        pg = "unknown"
    try:
        import redis

        redis_version = redis.Redis.from_url(common.redis_url(10)).info("server")["redis_version"]
    except Exception:  # noqa: BLE001
        redis_version = "unknown"
    versions = {}
    for package in ("django", "channels", "channels_redis", "daphne", "uvicorn", "granian"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001
            versions[package] = "?"
    return [
        ["CPU", f"{os.cpu_count()} × {cpu}"],
        ["memory", memory],
        ["OS", platform.platform()],
        ["Python", platform.python_version()],
        ["PostgreSQL", f"{pg} (same host, default settings)"],
        ["Redis", f"{redis_version} (same host)"],
        ["packages", ", ".join(f"{k} {v}" for k, v in versions.items())],
    ]


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=common.ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- targets ----------------------------------------------------------------------------------

def targets(*, smoke: bool = False) -> list[dict]:
    """Every target with its measured value and status, from the saved figures."""
    found = []
    rest = common.load_result("rest", smoke=smoke)
    if rest:
        for name, minimum in (("profile", 0.5), ("history", 0.3), ("chats", 0.3), ("messages?limit=50", 0.3)):
            ratio = rest["ratios"][name]
            found.append({
                "key": f"rest:{name}", "benchmark": f"REST `{name}` throughput vs bare view",
                "target": f"≥ {minimum:.0%}", "measured": f"{ratio:.0%}", "met": ratio >= minimum,
            })
        counts = rest["query_counts"]
        flat = (
            counts["history, 50 calls"] == counts["history, 5 calls"]
            and counts["chats, 20 rooms"] == counts["chats, 2 rooms"]
            and counts["messages, limit=100"] == counts["messages, limit=10"]
        )
        found.append({
            "key": "rest:queries", "benchmark": "REST query counts independent of page size",
            "target": "equal at both sizes", "measured": "equal" if flat else "grow", "met": flat,
        })
    fanout = common.load_result("fanout", smoke=smoke)
    if fanout:
        # The targets concern the layer production runs; the other one is measured for comparison.
        for layer, rows in fanout["layers"].items():
            short = layer.rsplit(".", 1)[-1]
            if short != PRODUCTION_LAYER:
                continue
            found.append({
                "key": f"fanout:{short}", "benchmark": f"chat fan-out p99 vs bare echo ({short})",
                "target": "≤ 2×", "measured": f"{rows['p99_ratio']:.2f}×", "met": rows["p99_ratio"] <= 2,
            })
            lost, duplicated = rows["chat"]["lost"], rows["chat"]["duplicated"]
            found.append({
                "key": f"fanout-loss:{short}", "benchmark": f"chat fan-out lost/duplicated ({short})",
                "target": "0 / 0", "measured": f"{lost} / {duplicated}", "met": lost == duplicated == 0,
            })
    matching = common.load_result("matching", smoke=smoke)
    if matching:
        found.append({
            "key": "matching", "benchmark": f"random match p99, {matching['queue']:,} waiting vs empty queue",
            "target": "≤ 3×", "measured": f"{matching['p99_ratio']:.2f}×", "met": matching["p99_ratio"] <= 3,
        })
    pairing = common.load_result("pairing", smoke=smoke)
    if pairing and pairing.get("growth"):
        worst = max(pairing["growth"].values())
        found.append({
            "key": "pairing", "benchmark": "pairing run: time per pool growth per 10× pools",
            "target": "≤ 1.5×", "measured": f"{worst:.2f}× (worst)", "met": worst <= 1.5,
        })
    gems = common.load_result("gems", smoke=smoke)
    if gems:
        race = gems["contention"]
        found.append({
            "key": "gems:race", "benchmark": f"{race['attempts']} concurrent spends on a balance of {race['start_balance']}",
            "target": f"exactly {race['start_balance']} succeed",
            "measured": f"{race['ok']} succeed, balance {race['final_balance']}, ledger {race['ledger_sum']}",
            "met": race["correct"],
        })
        ratio = gems["throughput"]["ratio"]
        found.append({
            "key": "gems:hot", "benchmark": "spends/s on one hot balance vs spread",
            "target": "≥ 20%", "measured": f"{ratio:.0%}", "met": ratio >= 0.2,
        })
    return found


def summary(*, smoke: bool) -> str:
    lines = []
    for target in targets(smoke=smoke):
        lines.append(f"{'met   ' if target['met'] else 'MISSED'} {target['benchmark']}: {target['measured']} "
                     f"(target {target['target']})")
    return "\n".join(lines)


# --- sections -----------------------------------------------------------------------------------

def _rest_section(rest: dict) -> str:
    rows = []
    for name, row in rest["rows"].items():
        per_round = " / ".join(f"{ratio:.0%}" for ratio in rest["round_ratios"].get(name, []))
        ratio = f"{rest['ratios'][name]:.0%}" if name in rest["ratios"] else "baseline"
        rows.append([f"`{name}`", row["rps"], row["p50_ms"], row["p99_ms"], row["server_cpu_ms"], ratio, per_round])
    counts = rest["query_counts"]
    return "\n\n".join([
        f"Server: {rest['server']}, one process; {rest['concurrency']} keep-alive connections from the load "
        f"process; {rest['rounds']} rounds, each the bare view then every endpoint, {rest['duration_s']:g} s "
        f"each after a {rest['warmup_s']:.1f} s warm-up, and the bare view once more at the end. An endpoint's "
        "ratio in a round is against the mean of the bare runs just before and after it; the table gives "
        "medians over the rounds (the bare view's median: "
        f"{_fmt(rest['baseline_rps'])} req/s). Server CPU is the server process's user + system time per "
        "request, warm-up included: the cost that bounds one process's throughput, and steadier than req/s "
        "on a shared host.",
        _table(["endpoint", "req/s", "p50 ms", "p99 ms", "server CPU ms/request", "vs bare", "per round"], rows),
        "Queries per request (counted in-process, at two data sizes):",
        _table(["request", "queries"], [[name, count] for name, count in counts.items()]),
    ])


def _servers_section(servers: dict) -> str:
    rows = []
    for name, row in servers["servers"].items():
        rows.append([
            name, row["bare"]["rps"], row["bare"]["p99_ms"], row["profile"]["rps"], row["profile"]["p99_ms"],
            row["ws_ping"]["rps"], row["ws_ping"]["p99_ms"], row["rss_start_mb"],
        ])
    base = servers["servers"]["daphne"]
    ratio_rows = [
        [name, f"{row['bare']['rps'] / base['bare']['rps']:.2f}×", f"{row['profile']['rps'] / base['profile']['rps']:.2f}×",
         f"{row['ws_ping']['rps'] / base['ws_ping']['rps']:.2f}×"]
        for name, row in servers["servers"].items()
    ]
    return "\n\n".join([
        f"One process each, the same application and database; HTTP with {servers['concurrency']['http']} keep-alive "
        f"connections, WebSocket with {servers['concurrency']['ws']} authenticated `/ws/events/` sockets each doing "
        f"ping → pong round trips; {servers['duration_s']:.0f} s each, "
        f"{servers.get('rounds', 1)} interleaved round(s) averaged.",
        _table(["server", "bare req/s", "bare p99 ms", "profile req/s", "profile p99 ms", "ws msgs/s", "ws p99 ms",
                "RSS at start MB"], rows),
        "Relative to daphne (the server production ran before):",
        _table(["server", "bare", "profile", "ws ping"], ratio_rows),
        _granian_vs_uvicorn(servers),
    ])


def _granian_vs_uvicorn(servers: dict) -> str:
    rows = servers["servers"]
    if "granian" not in rows or "uvicorn" not in rows:
        return ""
    g, u = rows["granian"], rows["uvicorn"]
    parts = ", ".join(
        f"{label} {g[key]['rps'] / u[key]['rps']:.2f}×" for key, label in
        (("bare", "bare"), ("profile", "profile"), ("ws_ping", "ws ping"))
    )
    text = f"Granian ÷ uvicorn in this run: {parts}."
    idle = common.load_result("idle")
    if idle and {"granian", "uvicorn"} <= set(idle["servers"]):
        memory = idle["servers"]["granian"]["per_socket_kb"] / idle["servers"]["uvicorn"]["per_socket_kb"]
        text += f" Memory per idle socket (section 7): {memory:.1f}×."
    return text


def _fanout_section(fanout: dict) -> str:
    rows = []
    for layer, data in fanout["layers"].items():
        short = layer.rsplit(".", 1)[-1]
        for kind in ("echo", "chat"):
            row = data[kind]
            rows.append([
                f"{short}: {'bare echo' if kind == 'echo' else 'chat'}", row["p50_ms"], row["p99_ms"], row["max_ms"],
                row["delivered"], row["lost"], row["duplicated"], row["connect_per_s"], row["server_rss_mb"],
            ])
        rows.append([f"{short}: chat ÷ echo (median windows)", f"{data['p50_ratio']:.2f}×",
                     f"{data['p99_ratio']:.2f}×", "", "", "", "", "", ""])
        if len(data["chat"]["windows"]) > 1:
            for kind in ("echo", "chat"):
                windows = data[kind]["windows"]
                rows.append([f"{short}: {'bare echo' if kind == 'echo' else 'chat'}, each window",
                             " / ".join(str(w["p50_ms"]) for w in windows),
                             " / ".join(str(w["p99_ms"]) for w in windows), "", "", "", "", "", ""])
    windows = {layer.rsplit(".", 1)[-1]: len(data["chat"]["windows"]) for layer, data in fanout["layers"].items()}
    return "\n\n".join([
        f"{fanout['rooms']:,} rooms × {fanout['members']} members = {fanout['rooms'] * fanout['members']:,} sockets "
        "per kind of room: the bare echo's on one server process, the chat's on another, both up at once, every "
        f"socket held by one load process; {fanout['rate']:.0f} messages/s round robin over rooms and members in "
        f"timed windows of {fanout['duration_s']:.0f} s (after a {fanout['warmup_s']:g} s warm-up per kind whose "
        "messages are delivered and counted but not timed), each expected at the 7 other members. The windows "
        "alternate between the "
        "kinds (echo, chat, then chat, echo, ...), so a slow spell of the shared host weighs on both sides of "
        "the ratio. Window pairs per layer: "
        + ", ".join(f"{short} {count}" for short, count in windows.items())
        + ". The rows give every timed delivery; the ratios compare the median of the windows' p50 and p99, so "
        "one stall of the host in one window does not decide them.",
        _table(["layer: socket", "p50 ms", "p99 ms", "max ms", "delivered", "lost", "dup", "sockets opened/s",
                "server RSS MB"], rows),
    ])


def _matching_section(matching: dict) -> str:
    rows = [
        [name, row["requests"], row["p50_ms"], row["p99_ms"],
         ", ".join(f"{count} {outcome}" for outcome, count in sorted(row["outcomes"].items()))]
        for name, row in matching["rows"].items()
    ]
    return "\n\n".join([
        _table(["phase", "requests", "p50 ms", "p99 ms", "outcomes"], rows, align="lrrrl"),
        f"p99 with {matching['queue']:,} waiting ÷ p99 with an empty queue: **{matching['p99_ratio']:.2f}×** "
        f"(p50: {matching['p50_ratio']:.2f}×). Pairs formed per second with {matching['concurrency']} requests at a "
        f"time: **{matching['pairs_per_s']}**.",
    ])


def _pairing_section(pairing: dict) -> str:
    rows = [
        [f"{row['size']:,}", f"{row['read_s']:.2f}", f"{row['plan_s']:.2f}", row["pairs"], f"{row['run_s']:.2f}",
         f"{row['us_per_pool']:.0f}", f"{row['idle_s']:.2f}"]
        for row in pairing["rows"]
    ]
    growth = ", ".join(f"{key}: {value:.2f}×" for key, value in pairing["growth"].items())
    return "\n\n".join([
        _table(["waiting pools", "read s", "plan s", "pairs", "run s", "µs per pool", "idle run s"], rows),
        f"Growth of the time per pool per 10× pools: {growth}.",
    ])


def _gems_section(gems: dict) -> str:
    race, speed = gems["contention"], gems["throughput"]
    return "\n\n".join([
        _table(
            ["contention", "value"],
            [
                ["spends at once / sessions", f"{race['attempts']} / {race['sessions']}"],
                ["start balance", race["start_balance"]],
                ["succeeded / refused (INSUFFICIENT_GEMS) / other errors",
                 f"{race['ok']} / {race['insufficient']} / {race['error']}"],
                ["final balance / ledger sum", f"{race['final_balance']} / {race['ledger_sum']}"],
                ["wall time", f"{race['seconds']} s"],
            ],
            align="lr",
        ),
        _table(
            ["throughput", "spends/s"],
            [
                [f"spread: {speed['workers']} processes, one wallet each", speed["spread"]["spends_per_s"]],
                [f"hot: {speed['workers']} processes, one wallet", speed["hot"]["spends_per_s"]],
                ["hot ÷ spread", f"{speed['ratio']:.0%}"],
            ],
        ),
    ])


def _idle_section(idle: dict) -> str:
    rows = [
        [name, row["rss_before_mb"], row["rss_after_mb"], row["per_socket_kb"], row["sockets_per_gb"],
         row["connect_per_s"]]
        for name, row in idle["servers"].items()
    ]
    return "\n\n".join([
        f"{idle['sockets']:,} authenticated idle `/ws/events/` sockets (one user each) held open against one server "
        "process; resident memory (server process and its children) before and after.",
        _table(["server", "RSS before MB", "RSS after MB", "KB per socket", "sockets per GB", "opened/s"], rows),
    ])


def _status_table(found: list[dict]) -> str:
    return _table(
        ["target", "goal", "measured", "status"],
        [[t["benchmark"], t["target"], t["measured"], MET if t["met"] else MISSED] for t in found],
        align="lrrl",
    )


def write(meta: dict) -> Path:
    from bench import notes

    found = targets()
    missed = [t for t in found if not t["met"]]
    sections = [
        "# Benchmarks",
        "Generated by `make bench` (`bench/run.py`); do not edit by hand: edit `bench/notes.py` or the benchmarks. "
        "Each figure comes with a baseline measured in the same run on the same machine, because absolute "
        "times drift on a shared host; the absolute numbers are there for context.",
        _table(["", ""], [
            ["generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")],
            ["commit", _git_commit()],
            ["command", f"`{meta['command']}`"],
            ["duration", f"{meta['total_s'] / 60:.1f} min ("
             + ", ".join(f"{k} {v:.0f} s" for k, v in meta["timings"].items()) + ")"],
            ["load average before / after", f"{meta['load_before']} / {meta['load_after']}"],
            *_machine(),
        ], align="ll"),
        notes.METHOD,
        "## Targets",
        _status_table(found),
    ]
    parts = {
        "servers": ("## 2. ASGI servers", _servers_section, notes.SERVERS),
        "rest": ("## 1. REST overhead", _rest_section, notes.REST),
        "fanout": ("## 3. Chat fan-out", _fanout_section, notes.FANOUT),
        "matching": ("## 4. Random matching", _matching_section, notes.MATCHING),
        "pairing": ("## 5. Pairing job", _pairing_section, notes.PAIRING),
        "gems": ("## 6. Gem ledger under contention", _gems_section, notes.GEMS),
        "idle": ("## 7. Idle sockets", _idle_section, notes.IDLE),
    }
    for name in ("rest", "servers", "fanout", "matching", "pairing", "gems", "idle"):
        title, render, note = parts[name]
        data = common.load_result(name)
        sections.append(title)
        sections.append(render(data) if data else "_Not measured in this run._")
        if note:
            sections.append(note)
    sections.append("## Missed targets: why, and what would fix them")
    if missed:
        groups: dict[str, list[dict]] = {}
        for target in missed:
            groups.setdefault(target["key"].split(":")[0], []).append(target)
        for group, members in groups.items():
            names = "; ".join(f"**{t['benchmark']}** ({t['measured']}, target {t['target']})" for t in members)
            sections.append(names + ".\n\n" + notes.WHY_MISSED.get(group, "").strip())
    else:
        sections.append("None in this run.")
    sections.append(notes.CHANGES)
    sections.append(notes.REPRODUCING)
    DOC.write_text("\n\n".join(section.strip() for section in sections if section) + "\n")
    return DOC
