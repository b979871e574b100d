"""Verification use cases: document upload, submission, badge settings and staff review."""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext

from config.errors import Forbidden
from verification import conf, events
from verification.documents import DocumentRejection, inspect_document
from verification.errors import (
    AlreadyReviewed,
    AlreadySubmitted,
    DocumentTooLarge,
    InvalidDocument,
    NoFiles,
    TooManyFiles,
    VerificationNotFound,
)
from verification.models import (
    Verification,
    VerificationDocument,
    VerificationDocumentLink,
    VerificationStatus,
)

logger = logging.getLogger(__name__)

DOCUMENT_URL_NAME = "verification-document"
_OPEN_STATUSES = (VerificationStatus.PENDING, VerificationStatus.APPROVED)


def documents_upload(*, owner, files: Sequence) -> list[VerificationDocument]:
    """Stores 1-5 documents for ``owner``, all or none.

    Each file is judged by its content (see ``verification.documents``) and stored under a
    random name in private storage. Raises NoFiles, TooManyFiles, DocumentTooLarge, InvalidDocument.
    """
    if not files:
        raise NoFiles(details={"files": [str(NoFiles.default_message)]})
    if len(files) > conf.MAX_FILES:
        raise TooManyFiles(details={"files": [str(TooManyFiles.default_message)]})
    cleaned = []
    for index, upload in enumerate(files):
        try:
            cleaned.append(inspect_document(upload))
        except DocumentRejection as rejection:
            if rejection.reason == "too_large":
                raise DocumentTooLarge(details={"files": [f"{index}: too_large"]}) from None
            raise InvalidDocument(details={"files": [f"{index}: {rejection.reason}"]}) from None

    documents = [
        VerificationDocument(owner=owner, content_type=clean.content_type, size=clean.content.size)
        for clean in cleaned
    ]
    stored: list[VerificationDocument] = []
    try:
        for document, clean in zip(documents, cleaned, strict=True):
            document.file.save(clean.content.name, clean.content, save=False)
            stored.append(document)
        with transaction.atomic():
            VerificationDocument.objects.bulk_create(documents)
    except BaseException:
        # No row points at these files: remove them so nothing unreferenced stays on disk.
        for document in stored:
            document.file.storage.delete(document.file.name)
        raise
    return documents


def document_id_from_url(url: str) -> uuid.UUID | None:
    """The document id in a URL ``documents_upload``'s caller returned, else ``None``.

    Only the path is considered (clients may see the API under another host name).
    """
    try:
        # The route answers with and without a trailing slash; only the bare one is named.
        match = resolve(urlsplit(url).path.rstrip("/"))
    except (Resolver404, ValueError):
        return None
    if match.url_name != DOCUMENT_URL_NAME:
        return None
    return match.kwargs["document_id"]


@dataclass(frozen=True)
class VerificationInput:
    school_name: str
    department: str
    major_category: str
    grade: str
    student_id: str
    gender: str


def verification_submit(*, user, data: VerificationInput, document_urls: Sequence[str]) -> Verification:
    """Files a pending verification with 1-5 of the user's own uploaded documents.

    At most one pending-or-approved verification per user is enforced by the partial unique
    index ``verif_one_open_per_user``; a concurrent duplicate loses on it and gets
    AlreadySubmitted. Raises InvalidDocument, AlreadySubmitted.
    """
    documents = _own_documents(user=user, document_urls=document_urls)
    if Verification.objects.filter(user=user, status__in=_OPEN_STATUSES).exists():
        raise AlreadySubmitted()
    previous = Verification.objects.filter(user=user).order_by("-submitted_at").first()
    verification = Verification(
        user=user,
        school_name=data.school_name,
        department=data.department,
        major_category=data.major_category,
        grade=data.grade,
        student_id=data.student_id,
        gender=data.gender,
        # A resubmission keeps the display choices the user made before.
        badge_visible=previous.badge_visible if previous else True,
        department_visible=previous.department_visible if previous else True,
    )
    try:
        with transaction.atomic():
            verification.save(force_insert=True)
            VerificationDocumentLink.objects.bulk_create(
                VerificationDocumentLink(verification=verification, document=document, position=position)
                for position, document in enumerate(documents)
            )
    except IntegrityError:
        if Verification.objects.filter(user=user, status__in=_OPEN_STATUSES).exists():
            raise AlreadySubmitted() from None
        raise
    return verification


def _own_documents(*, user, document_urls: Sequence[str]) -> list[VerificationDocument]:
    if not 1 <= len(document_urls) <= conf.MAX_FILES:
        raise InvalidDocument(details={"documents": [gettext("1-%(max)d documents") % {"max": conf.MAX_FILES}]})
    ids = []
    for index, url in enumerate(document_urls):
        document_id = document_id_from_url(url)
        if document_id is None:
            raise InvalidDocument(
                details={"documents": [gettext("%(index)d: not an uploaded document URL") % {"index": index}]}
            )
        ids.append(document_id)
    if len(set(ids)) != len(ids):
        raise InvalidDocument(details={"documents": [gettext("duplicate document")]})
    owned = VerificationDocument.objects.in_bulk(ids, field_name="document_id")
    owned = {document_id: document for document_id, document in owned.items() if document.owner_id == user.pk}
    missing = [index for index, document_id in enumerate(ids) if document_id not in owned]
    if missing:
        # Someone else's document and one that never existed answer alike (no probing ids).
        raise InvalidDocument(
            details={
                "documents": [gettext("%(index)d: not an uploaded document") % {"index": index} for index in missing]
            }
        )
    return [owned[document_id] for document_id in ids]


def verification_settings_update(
    *, user, badge_visible: bool | None = None, department_visible: bool | None = None
) -> Verification:
    """Changes the badge/department display choices on the user's latest verification.

    Raises VerificationNotFound when the user never submitted one.
    """
    with transaction.atomic():
        verification = (
            Verification.objects.select_for_update(no_key=True)
            .filter(user=user)
            .order_by("-submitted_at")
            .first()
        )
        if verification is None:
            raise VerificationNotFound()
        fields = []
        if badge_visible is not None:
            verification.badge_visible = badge_visible
            fields.append("badge_visible")
        if department_visible is not None:
            verification.department_visible = department_visible
            fields.append("department_visible")
        if fields:
            verification.save(update_fields=fields)
    return verification


@transaction.atomic
def verification_review(*, reviewer, verification_id, approved: bool, admin_note: str) -> Verification:
    """Approves or rejects a pending verification; the user gets ``verification.reviewed`` after commit.

    One conditional UPDATE (``WHERE status = 'pending'``) decides it, so of two reviewers racing
    only one wins. Raises Forbidden (not staff), VerificationNotFound, AlreadyReviewed.
    """
    if not (reviewer.is_active and reviewer.is_staff):
        raise Forbidden()
    now = timezone.now()
    decided = Verification.objects.filter(pk=verification_id, status=VerificationStatus.PENDING).update(
        status=VerificationStatus.APPROVED if approved else VerificationStatus.REJECTED,
        reviewed_at=now,
        reviewed_by=reviewer,
        admin_note=admin_note,
        verified_at=now if approved else None,
    )
    if not decided:
        if Verification.objects.filter(pk=verification_id).exists():
            raise AlreadyReviewed()
        raise VerificationNotFound()
    verification = Verification.objects.select_related("user").get(pk=verification_id)
    events.send_verification_reviewed(verification)
    logger.info(
        "verification reviewed",
        extra={"verification_id": str(verification_id), "reviewer": reviewer.pk, "status": verification.status},
    )
    return verification


def documents_purge_unsubmitted(*, older_than: timedelta, batch_size: int = 500) -> int:
    """Deletes documents uploaded before ``now - older_than`` that no verification uses, and their files.

    Safe to run twice and concurrently: rows are locked with SKIP LOCKED, the delete re-checks
    that no link exists, and files are removed only after the rows' deletion commits. A link
    created at the same instant wins (the foreign key makes the purge's transaction fail).
    """
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        candidates = list(
            VerificationDocument.objects.filter(uploaded_at__lt=cutoff, links__isnull=True)
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "file")[:batch_size]
        )
        if not candidates:
            return 0
        ids = [pk for pk, _ in candidates]
        deleted, _ = VerificationDocument.objects.filter(pk__in=ids, links__isnull=True).delete()
        names = [name for _, name in candidates]
        storage = VerificationDocument._meta.get_field("file").storage
        transaction.on_commit(partial(_delete_files, storage, names))
    return deleted


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)
