"""The load generator: a separate process that drives a server on loopback, bounded in count
and time, and prints one JSON line of figures. It never imports Django.

Modes (first argument):

- ``http``: closed-loop keep-alive HTTP/1.1 on ``--concurrency`` connections for ``--duration``
  seconds after ``--warmup`` seconds; requests/s, p50/p99, status counts. A hand-written client
  on raw asyncio streams (uvloop), so the generator costs far less CPU than the server it drives.
- ``http-list``: each request of a JSON list once (path, token, optional untimed follow-up
  request), on ``--concurrency`` connections; latencies and the body's ``status`` field.
- ``ws-ping``: ``--concurrency`` sockets each sending ``{"type": "ping"}`` and waiting for the pong.
- ``ws-fanout``: opens every member socket of every room of each kind (echo, chat), sends
  messages at ``--rate`` per second (round robin over rooms and members) in timed windows of
  ``--duration`` seconds that alternate between the kinds, and measures send → receive latency at
  every *other* member, counting lost and duplicated deliveries.
- ``ws-hold``: opens N sockets, prints a line, holds them until stdin closes (or ``--hold``).
"""

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
    uvloop = None

import websockets

PERF = time.perf_counter


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000, 3)

    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": round(ordered[-1] * 1000, 3)}


# --- HTTP -----------------------------------------------------------------------------------

def _request_bytes(method: str, host: str, path: str, token: str | None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json", "Accept-Language: ko"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    close = b"connection: close" in lower
    marker = lower.find(b"content-length:")
    if marker >= 0:
        end = lower.find(b"\r\n", marker)
        body = await reader.readexactly(int(lower[marker + 15 : end]))
    elif b"transfer-encoding: chunked" in lower:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = b""
    return status, body, close


class _Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(raw)
                status, body, close = await _read_response(self.reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
                continue
            if close:
                self.close()
            return status, body
        raise ConnectionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def http_closed_loop(args) -> dict:
    url = urlsplit(args.url)
    tokens = _tokens(args)
    requests = [
        _request_bytes(args.method, url.netloc, url.path + (f"?{url.query}" if url.query else ""), token)
        for token in (tokens or [None])
    ]
    latencies: list[float] = []
    statuses: Counter = Counter()
    start = PERF()
    measure_from = start + args.warmup
    stop_at = measure_from + args.duration
    counted = [0]
    sent_in_all = [0]

    async def worker(index: int) -> None:
        conn = _Connection(url.hostname, url.port)
        raw = requests[index % len(requests)]
        try:
            while True:
                sent = PERF()
                if sent >= stop_at or (args.max_requests and counted[0] >= args.max_requests):
                    return
                status, _ = await conn.request(raw)
                done = PERF()
                sent_in_all[0] += 1
                if sent >= measure_from:
                    latencies.append(done - sent)
                    statuses[status] += 1
                    counted[0] += 1
        finally:
            conn.close()

    await asyncio.gather(*(worker(i) for i in range(args.concurrency)))
    elapsed = min(PERF(), stop_at) - measure_from
    ok = sum(count for status, count in statuses.items() if 200 <= status < 300)
    return {
        "requests": sum(statuses.values()),
        "requests_with_warmup": sent_in_all[0],
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 3),
        "rps": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
        "concurrency": args.concurrency,
        **_percentiles(latencies),
    }


async def http_list(args) -> dict:
    """Each entry of the list once; ``after`` is an untimed request the same worker sends next."""
    with open(args.file) as handle:
        spec = json.load(handle)
    url = urlsplit(spec["base"])
    queue: asyncio.Queue = asyncio.Queue()
    for entry in spec["requests"]:
        queue.put_nowait(entry)
    latencies: list[float] = []
    statuses: Counter = Counter()
    outcomes: Counter = Counter()
    start = PERF()

    async def worker() -> None:
        conn = _Connection(url.hostname, url.port)
        try:
            while not queue.empty() and PERF() - start < args.duration:
                entry = queue.get_nowait()
                raw = _request_bytes(entry.get("method", "GET"), url.netloc, entry["path"], entry["token"])
                sent = PERF()
                status, body = await conn.request(raw)
                latencies.append(PERF() - sent)
                statuses[status] += 1
                if status == 200:
                    outcomes[str(json.loads(body).get("status"))] += 1
                after = entry.get("after")
                if after:
                    await conn.request(
                        _request_bytes(after["method"], url.netloc, after["path"], entry["token"], b"{}")
                    )
        finally:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed = PERF() - start
    return {
        "requests": sum(statuses.values()),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "outcomes": dict(outcomes),
        "seconds": round(elapsed, 3),
        "rps": round(sum(statuses.values()) / elapsed, 1),
        "concurrency": args.concurrency,
        **_percentiles(latencies),
    }


def _tokens(args) -> list[str]:
    if not args.tokens_file:
        return []
    with open(args.tokens_file) as handle:
        return json.load(handle)


# --- WebSocket ------------------------------------------------------------------------------

async def _open_all(urls: list[str], parallel: int = 100) -> tuple[list, float, int]:
    gate = asyncio.Semaphore(parallel)
    failures = [0]

    async def one(url: str):
        async with gate:
            try:
                return await websockets.connect(
                    url, open_timeout=120, ping_interval=None, close_timeout=1, compression=None, max_size=2**20,
                    max_queue=None,
                )
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                failures[0] += 1
                return None

    start = PERF()
    sockets = await asyncio.gather(*(one(url) for url in urls))
    return list(sockets), PERF() - start, failures[0]


def _abort_all(sockets) -> None:
    for ws in sockets:
        if ws is not None:
            ws.transport.abort()


async def ws_ping(args) -> dict:
    urls = [f"{args.url}?token={token}" for token in _tokens(args)][: args.concurrency]
    sockets, connect_s, failed = await _open_all(urls)
    latencies: list[float] = []
    measure_from = PERF() + args.warmup
    stop_at = measure_from + args.duration

    async def worker(ws) -> None:
        while PERF() < stop_at:
            sent = PERF()
            await ws.send('{"type": "ping"}')
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "pong":
                    break
            if sent >= measure_from:
                latencies.append(PERF() - sent)

    await asyncio.gather(*(worker(ws) for ws in sockets if ws is not None))
    _abort_all(sockets)
    elapsed = stop_at - measure_from
    return {
        "sockets": len(urls) - failed,
        "connect_failures": failed,
        "connect_per_s": round(len(urls) / connect_s, 1),
        "messages": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        **_percentiles(latencies),
    }


class _FanoutKind:
    """One kind of room (``echo`` or ``chat``): its sockets, what was sent and what arrived.

    Sequence numbers are per kind; message ``seq`` goes to room ``seq % rooms``, sent by member
    ``(seq // rooms) % members``, as the text ``b|<seq>``, and is expected at the other members.
    """

    def __init__(self, kind: str, rooms: list[list[str]], sockets: list, windows: int):
        self.kind = kind
        self.chat = kind == "chat"
        self.members = len(rooms[0])
        self.by_room = [sockets[i * self.members : (i + 1) * self.members] for i in range(len(rooms))]
        self.sent: dict[int, tuple[float, int, int, int | None]] = {}  # seq → (time, room, sender, window)
        self.arrivals: Counter = Counter()
        self.errors: Counter = Counter()
        self.stray = 0
        self.delivered = 0
        self.next_seq = 0
        self.latencies: list[float] = []
        self.window_latencies: list[list[float]] = [[] for _ in range(windows)]

    async def reader(self, room_index: int, member_index: int, ws) -> None:
        try:
            async for raw in ws:
                now = PERF()
                if self.chat:
                    frame = json.loads(raw)
                    if frame.get("type") != "message":
                        if frame.get("type") == "error":
                            self.errors[frame.get("code")] += 1
                        continue
                    text = frame.get("content", "")
                else:
                    text = raw
                if not text.startswith("b|"):
                    self.stray += 1
                    continue
                seq = int(text[2:])
                origin = self.sent.get(seq)
                if origin is None or origin[1] != room_index:
                    self.stray += 1
                    continue
                if member_index == origin[2]:
                    continue  # the sender's own copy
                self.arrivals[(seq, member_index)] += 1
                if self.arrivals[(seq, member_index)] == 1:
                    self.delivered += 1
                    window = origin[3]
                    if window is not None:
                        self.latencies.append(now - origin[0])
                        self.window_latencies[window].append(now - origin[0])
        except websockets.exceptions.ConnectionClosed:
            self.errors["closed"] += 1

    async def send(self, count: int, rate: float, window: int | None) -> None:
        """Sends ``count`` messages at ``rate`` per second; ``window`` None: delivered, not timed."""
        start = PERF()
        for offset in range(count):
            delay = start + offset / rate - PERF()
            if delay > 0:
                await asyncio.sleep(delay)
            seq = self.next_seq
            self.next_seq += 1
            room_index = seq % len(self.by_room)
            member_index = (seq // len(self.by_room)) % self.members
            self.sent[seq] = (PERF(), room_index, member_index, window)
            text = f"b|{seq}"
            await self.by_room[room_index][member_index].send(
                json.dumps({"type": "message", "content": text}) if self.chat else text
            )

    async def settle(self, timeout: float) -> None:
        """Waits until every message sent so far has reached every other member, or ``timeout``."""
        deadline = PERF() + timeout
        while self.delivered < self.next_seq * (self.members - 1) and PERF() < deadline:
            await asyncio.sleep(0.01)

    def result(self, connect_s: float, sending_s: float) -> dict:
        expected = self.next_seq * (self.members - 1)
        sockets = len(self.by_room) * self.members
        return {
            "rooms": len(self.by_room),
            "members_per_room": self.members,
            "sockets": sockets,
            "connect_s": round(connect_s, 2),
            "connect_per_s": round(sockets / connect_s, 1),
            "messages": self.next_seq,
            "timed_messages": sum(1 for origin in self.sent.values() if origin[3] is not None),
            "achieved_rate": round(self.next_seq / sending_s, 1) if sending_s else None,
            "expected_deliveries": expected,
            "delivered": self.delivered,
            "lost": expected - self.delivered,
            "duplicated": sum(count - 1 for count in self.arrivals.values() if count > 1),
            "stray": self.stray,
            "errors": dict(self.errors),
            **_percentiles(self.latencies),
            "windows": [_percentiles(values) for values in self.window_latencies],
        }


async def ws_fanout(args) -> dict:
    """Spec (``--file``): ``{"kinds": {"echo": {"base": "ws://...", "rooms": [[path, ...], ...]},
    "chat": {...}}}``; each kind's rooms may be served by a server of its own.

    Every socket of every kind is opened first; then each kind gets ``--warmup`` seconds of
    untimed messages, and the timed windows alternate between the kinds (A B, B A, A B, ...), so
    a slow spell of the shared host falls on both kinds' windows alike rather than on whichever
    kind ran during it.
    """
    with open(args.file) as handle:
        spec = json.load(handle)
    kinds: dict[str, _FanoutKind] = {}
    connect_s: dict[str, float] = {}
    for kind, rooms_spec in spec["kinds"].items():
        rooms = rooms_spec["rooms"]
        sockets, connect_s[kind], failed = await _open_all([rooms_spec["base"] + p for room in rooms for p in room])
        if failed:
            for opened in kinds.values():
                _abort_all(socket for room in opened.by_room for socket in room)
            _abort_all(sockets)
            return {"connect_failures": failed, "kind": kind}
        kinds[kind] = _FanoutKind(kind, rooms, sockets, args.windows)
    # This process holds every socket, and its own collector's pauses would be timed as the
    # servers' latency (a full collection over 8,000 client sockets stalled every reader for
    # 300 ms): freeze what opening them allocated, and collect nothing until the readers stop.
    gc.collect()
    gc.freeze()
    gc.disable()
    readers = [
        asyncio.create_task(fanout.reader(r, m, ws))
        for fanout in kinds.values() for r, members in enumerate(fanout.by_room) for m, ws in enumerate(members)
    ]
    sending_s: Counter = Counter()

    async def phase(fanout: _FanoutKind, seconds: float, window: int | None) -> None:
        started = PERF()
        await fanout.send(int(args.rate * seconds), args.rate, window)
        sending_s[fanout.kind] += PERF() - started
        # The next phase starts once this one's deliveries are in, so no two overlap.
        await fanout.settle(min(2.0, args.drain))

    order = list(kinds.values())
    for fanout in order:
        await phase(fanout, args.warmup, None)
    for window in range(args.windows):
        for fanout in order if window % 2 == 0 else order[::-1]:
            await phase(fanout, args.duration, window)
    for fanout in kinds.values():
        await fanout.settle(args.drain)
    for task in readers:
        task.cancel()
    gc.enable()
    for fanout in kinds.values():
        _abort_all(socket for room in fanout.by_room for socket in room)
    return {kind: fanout.result(connect_s[kind], sending_s[kind]) for kind, fanout in kinds.items()}


async def ws_hold(args) -> dict:
    urls = [f"{args.url}?token={token}" for token in _tokens(args)]
    sockets, connect_s, failed = await _open_all(urls)
    opened = sum(1 for ws in sockets if ws is not None)
    print(json.dumps({"opened": opened, "failed": failed, "connect_s": round(connect_s, 2)}), flush=True)
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.read), timeout=args.hold)
    except TimeoutError:
        pass
    still_open = sum(1 for ws in sockets if ws is not None and ws.state.name == "OPEN")
    _abort_all(sockets)
    return {"opened": opened, "failed": failed, "still_open": still_open, "connect_s": round(connect_s, 2)}


MODES = {"http": http_closed_loop, "http-list": http_list, "ws-ping": ws_ping, "ws-fanout": ws_fanout,
         "ws-hold": ws_hold}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--url")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--file")
    parser.add_argument("--tokens-file")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--windows", type=int, default=1, help="ws-fanout: timed windows of --duration each")
    parser.add_argument("--max-requests", type=int, default=0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--drain", type=float, default=10.0)
    parser.add_argument("--hold", type=float, default=120.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if uvloop is not None:
        uvloop.install()
    result = asyncio.run(MODES[args.mode](args))
    result["client_cpu_s"] = round(sum(os.times()[:2]), 2)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
