from celery import shared_task

from calls import services


@shared_task
def close_expired_calls() -> int:
    return services.call_close_expired()
