"""Uploaded documents nobody submitted are deleted after a while, files included."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from verification import services, tasks
from verification.models import VerificationDocument
from verification.tests.factories import rejected, submit, upload_documents

pytestmark = pytest.mark.django_db

WEEK = timedelta(days=7)


def exists_on_disk(document) -> bool:
    return document.file.storage.exists(document.file.name)


def test_old_unsubmitted_documents_are_deleted_with_their_files(user, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-01-01T00:00:00Z"):
        stale = upload_documents(user, count=2)
        used = upload_documents(user)
        submit(user, documents=used)
    with time_machine.travel("2026-01-07T12:00:00Z"):
        recent = upload_documents(user)

    with time_machine.travel("2026-01-08T01:00:00Z"), django_capture_on_commit_callbacks(execute=True):
        assert services.documents_purge_unsubmitted(older_than=WEEK) == 2

    remaining = set(VerificationDocument.objects.values_list("pk", flat=True))
    assert remaining == {used[0].pk, recent[0].pk}
    assert not any(exists_on_disk(document) for document in stale)
    assert exists_on_disk(used[0]) and exists_on_disk(recent[0])


def test_documents_of_rejected_requests_are_kept_as_evidence(user_factory):
    user = user_factory()
    with time_machine.travel("2026-01-01T00:00:00Z"):
        verification = rejected(user)
    with time_machine.travel("2026-03-01T00:00:00Z"):
        assert services.documents_purge_unsubmitted(older_than=WEEK) == 0
    assert verification.document_links.count() == 1


def test_the_task_is_idempotent(user, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-01-01T00:00:00Z"):
        upload_documents(user, count=3)
    with time_machine.travel("2026-02-01T00:00:00Z"), django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_unsubmitted_documents() == 3
        assert tasks.purge_unsubmitted_documents() == 0
    assert not VerificationDocument.objects.exists()


def test_nothing_to_purge(user):
    upload_documents(user)
    assert services.documents_purge_unsubmitted(older_than=WEEK) == 0
    assert VerificationDocument.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_purges_delete_each_document_once(user_factory):
    user = user_factory()
    with time_machine.travel("2026-01-01T00:00:00Z"):
        documents = upload_documents(user, count=5) + upload_documents(user, count=5)
    barrier = threading.Barrier(3)
    counts: list[int] = []
    errors: list[BaseException] = []

    def purge():
        try:
            barrier.wait()
            counts.append(services.documents_purge_unsubmitted(older_than=WEEK))
        except Exception as error:  # reported by the assertion below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel("2026-02-01T00:00:00Z"):
        threads = [threading.Thread(target=purge) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sum(counts) == 10
    assert not VerificationDocument.objects.exists()
    assert not any(exists_on_disk(document) for document in documents)
