from celery import shared_task

from chat import services


@shared_task(acks_late=True)
def purge_unsent_attachments() -> int:
    """Deletes images uploaded to rooms but never sent (idempotent, safe to run concurrently)."""
    return services.chat_attachments_purge_unsent()
