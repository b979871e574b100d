"""Celery entry points of pools: thin, idempotent, safe to run twice and in several workers at once.

``acks_late`` (the project default) redelivers a task whose worker died; that is harmless here
because every run starts from the database state and writes under row locks.
"""

from celery import shared_task

from pools import services

# A run normally takes well under a second; a huge backlog gets minutes before the hard limit.
# Batches commit one by one, so a run stopped by the limit keeps what it wrote and the next run continues.
_LIMITS = {"soft_time_limit": 240, "time_limit": 300}


@shared_task(name="pools.tasks.pool_pairing_run", **_LIMITS)
def pool_pairing_run() -> dict:
    """Pairs waiting pools (enqueued after each pool creation and every minute by beat)."""
    result = services.pool_pairing_run()
    return {"waiting": result.waiting, "planned": result.planned, "proposed": result.proposed}


@shared_task(name="pools.tasks.pools_expire_overdue", **_LIMITS)
def pools_expire_overdue() -> dict:
    """Expires proposals after 24 h and pools after 7 days (every minute by beat)."""
    result = services.pools_expire_overdue()
    return {"proposals_expired": result.proposals_expired, "pools_expired": result.pools_expired}
