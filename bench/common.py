"""What every benchmark shares: its own databases, servers started as separate processes,
the load generator run as a separate process, percentiles, and the results file.

Runs are isolated from each other (two people, or CI, may run the suite at once on one host):
every name carries the run's id (``BENCH_RUN_ID``: ``bench.run`` sets one per suite run; a
benchmark run alone uses ``solo``). Databases: ``bench_template_<run>`` is migrated once per run;
each benchmark clones it into ``bench_<name>_<run>`` (``CREATE DATABASE ... TEMPLATE``, about a
second) and drops it at the end. Redis: databases 10-12 only, every key under the run's prefix
(``bench/settings.py``), never flushed.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
# The servers come from DATABASE_URL / REDIS_URL when set (CI sets both); only their host,
# port and user are used: benchmarks work in databases of their own.
_PG = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
_REDIS = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
if not _PG.scheme.startswith("postgres"):
    _PG = urlsplit("postgres://postgres@127.0.0.1:5432/postgres")
PG_HOST = _PG.hostname or "127.0.0.1"
PG_PORT = str(_PG.port or 5432)
PG_USER = _PG.username or "postgres"
PG_PASSWORD = _PG.password or ""
REDIS_BASE = f"redis://{_REDIS.netloc or '127.0.0.1:6379'}"
RUN_ID = os.environ.setdefault("BENCH_RUN_ID", "solo")
TEMPLATE_DB = f"bench_template_{RUN_ID}"
RESULTS_DIR = ROOT / "var" / "bench"
HOST = "127.0.0.1"

# Far above anything a benchmark sends, so no request is refused (429); the counters still run.
RATE_LIMITS_OVERRIDE = ",".join(
    f"{scope}=100000000/m"
    for scope in ("matching_read", "chat_message", "pool_create", "proposal_accept", "gem_charge")
)


def work_dir() -> Path:
    """Scratch files of this run (tokens, request lists, server logs): var/bench/work-<run>/."""
    path = RESULTS_DIR / f"work-{RUN_ID}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(name: str) -> str:
    auth = f"{PG_USER}:{PG_PASSWORD}" if PG_PASSWORD else PG_USER
    return f"postgres://{auth}@{PG_HOST}:{PG_PORT}/{name}"


def redis_url(db: int) -> str:
    if not 10 <= db <= 12:
        raise ValueError("benchmarks use Redis databases 10-12 only")
    return f"{REDIS_BASE}/{db}"


def _psql(sql: str, database: str = "postgres") -> str:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, password=PG_PASSWORD or None, dbname=database, autocommit=True
    ) as conn:
        cursor = conn.execute(sql)
        return str(cursor.fetchall()) if cursor.description else ""


def ensure_template(*, fresh: bool = True) -> None:
    """Creates and migrates the run's template database (once per suite run)."""
    exists = TEMPLATE_DB in _psql(f"SELECT datname FROM pg_database WHERE datname = '{TEMPLATE_DB}'")
    if exists and not fresh:
        return
    _psql(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
    _psql(f"CREATE DATABASE {TEMPLATE_DB}")
    env = {**os.environ, "DATABASE_URL": database_url(TEMPLATE_DB), "REDIS_URL": "", "LOG_LEVEL": "WARNING"}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


@contextmanager
def bench_database(name: str):
    """A fresh database cloned from the migrated template; dropped afterwards."""
    db = f"bench_{name}_{RUN_ID}"
    ensure_template(fresh=False)
    _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    _psql(f"CREATE DATABASE {db} TEMPLATE {TEMPLATE_DB}")
    try:
        yield db
    finally:
        _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def clear_redis(db: int) -> None:
    """Deletes this run's keys (channel layer groups, counters) from Redis database ``db``."""
    import redis

    client = redis.Redis.from_url(redis_url(db))
    for pattern in (f"bench-{RUN_ID}*", f":*:bench-{RUN_ID}*", f"*bench-{RUN_ID}*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])


def django_env(db: str, redis_db: int, **extra: str) -> dict[str, str]:
    """The environment of a Django process (server or setup) working on ``db`` and ``redis_db``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(db),
        "REDIS_URL": redis_url(redis_db),
        "RATE_LIMITS_OVERRIDE": RATE_LIMITS_OVERRIDE,
        "WS_FRAMES_PER_10_SECONDS": "1000000",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "BENCH_RUN_ID": RUN_ID,
        "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }
    env.update(extra)
    return env


def setup_django(db: str, redis_db: int, **extra: str) -> None:
    """Configures Django in this process (the benchmark's own data setup) on ``db``."""
    os.environ.update(django_env(db, redis_db, **extra))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- servers ------------------------------------------------------------------------------

SERVERS = ("daphne", "uvicorn", "granian")
# What production runs (scripts/run.sh, Dockerfile, docker-compose.yml); chosen by bench/servers.py.
PRODUCTION_SERVER = "uvicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_command(server: str, port: int, app: str = "bench.asgi:application") -> list[str]:
    if server == "daphne":
        return [str(BIN / "daphne"), "-b", HOST, "-p", str(port), "-v", "0", app]
    if server == "uvicorn":
        return [
            str(BIN / "uvicorn"), app, "--host", HOST, "--port", str(port), "--no-access-log",
            "--lifespan", "off", "--loop", "uvloop", "--http", "httptools", "--ws", "websockets",
            "--log-level", "warning", "--backlog", "4096",
        ]
    if server == "granian":
        return [
            str(BIN / "granian"), "--interface", "asgi", "--host", HOST, "--port", str(port), "--workers", "1",
            "--loop", "uvloop", "--no-access-log", "--log-level", "warning", "--backlog", "4096", app,
        ]
    raise ValueError(server)


class Server:
    """One ASGI server process serving ``bench.asgi`` on a free loopback port."""

    def __init__(self, server: str, env: dict[str, str]):
        self.name = server
        self.port = free_port()
        self.log = open(work_dir() / f"server-{server}-{self.port}.log", "w")  # noqa: SIM115
        if os.environ.get("BENCH_PROFILE_DIR"):
            # The sampling profiler of bench/profiler.py, for finding where a server spends time.
            env = {**env, "BENCH_PROFILE": f"{os.environ['BENCH_PROFILE_DIR']}/profile-{server}-{self.port}.txt"}
        self.process = subprocess.Popen(
            server_command(server, self.port), cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout}s")

    def rss_bytes(self) -> int:
        """Resident memory of the server and its child processes (granian runs a worker child)."""
        return sum(_rss(pid) for pid in [self.process.pid, *_descendants(self.process.pid)])

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its child processes have used so far."""
        return sum(_cpu_seconds(pid) for pid in [self.process.pid, *_descendants(self.process.pid)])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


# --- load generator (a separate process) ------------------------------------------------------

def run_load(args: list[str], timeout: float = 300) -> dict:
    """Runs ``bench/loadgen.py`` with ``args`` in its own process; returns its JSON result."""
    completed = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "loadgen.py"), *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"loadgen {args[:1]} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- figures --------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def save_result(name: str, result: dict, *, smoke: bool) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}{'-smoke' if smoke else ''}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return path


def load_result(name: str, *, smoke: bool = False) -> dict | None:
    path = RESULTS_DIR / f"{name}{'-smoke' if smoke else ''}.json"
    return json.loads(path.read_text()) if path.exists() else None


def raise_fd_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def which(name: str) -> str | None:
    return shutil.which(name)


def drop_template() -> None:
    _psql(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
