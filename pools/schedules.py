"""Periodic jobs of pools, merged into CELERY_BEAT_SCHEDULE by settings (plain data only).

``expires`` drops a run that waited longer than its period in the queue (workers down), so a
backlog of identical runs never piles up: the next scheduled run does the same work.
"""

BEAT_SCHEDULE = {
    "pools-pairing": {
        "task": "pools.tasks.pool_pairing_run",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "pools-expiry": {
        "task": "pools.tasks.pools_expire_overdue",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
