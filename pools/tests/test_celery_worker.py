"""A real Celery worker, in its own process, on the real Redis broker (not eager): a new pool's
enqueued pairing run turns it and a waiting pool into a proposal."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from pools.models import PoolStatus, Proposal
from pools.tests.factories import make_pool

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_broker,
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "config", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)


def test_a_real_worker_pairs_a_new_pool_with_a_waiting_one(tmp_path):
    celery_app.control.purge()
    waiting = make_pool(gender="male")
    # Creating the pool enqueues a pairing run on the broker after commit.
    newcomer = make_pool(gender="female")
    assert Proposal.objects.count() == 0

    log_path = tmp_path / "worker.log"
    worker = _start_worker(log_path)
    try:
        deadline = time.monotonic() + 60
        while not Proposal.objects.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.25)
    finally:
        _stop(worker)

    log = log_path.read_text(errors="replace")
    proposal = Proposal.objects.filter(pool_a=waiting, pool_b=newcomer).first()
    assert proposal is not None, log
    assert "pools.tasks.pool_pairing_run" in log
    waiting.refresh_from_db()
    newcomer.refresh_from_db()
    assert (waiting.status, newcomer.status) == (PoolStatus.PROPOSED, PoolStatus.PROPOSED)
