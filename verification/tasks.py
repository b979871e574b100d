from celery import shared_task

from verification import conf, services


@shared_task
def purge_unsubmitted_documents() -> int:
    return services.documents_purge_unsubmitted(older_than=conf.UNSUBMITTED_DOCUMENT_TTL)
