from celery import shared_task

from matching import services


@shared_task(name="matching.tasks.match_cleanup")
def match_cleanup() -> dict:
    """Expires stale pending matches and drops queued users with no recent heartbeat.
    Safe to run twice and concurrently: each step re-checks under row locks."""
    return {
        "expired_matches": services.match_expire_stale_matches(),
        "dropped_idle_users": services.match_queue_drop_idle_users(),
    }
