"""Test data for verification, built through the app's own services."""

import io
import re
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.testing import UserFactory, image_bytes
from verification import services
from verification.models import Verification, VerificationDocument

UPLOAD = "/api/v1/verification/upload"
SUBMIT = "/api/v1/verification/submit"
STATUS = "/api/v1/verification/status"
SETTINGS = "/api/v1/verification/settings"
PENDING = "/api/v1/admin/verification/pending"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

SUBMISSION = {
    "school_name": "서울대학교",
    "department": "컴퓨터공학과",
    "major_category": "공과대학",
    "grade": "3학년",
    "student_id": "2021-12345",
    "gender": "male",
}


def review_path(verification_id) -> str:
    return f"/api/v1/admin/verification/{verification_id}/review"


def document_path(document_id) -> str:
    return f"/api/v1/verification/documents/{document_id}"


@lru_cache(maxsize=1)
def pdf_bytes() -> bytes:
    """A real one-page PDF (Pillow writes header, objects, xref table and trailer).

    Made once: Pillow stamps the creation time, and tests compare stored bytes with these."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PDF")
    return buffer.getvalue()


def png_file(name: str = "card.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg_file(name: str = "card.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", **kwargs), content_type="image/jpeg")


def pdf_file(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def upload_documents(owner, count: int = 1) -> list[VerificationDocument]:
    files = [png_file(f"doc{index}.png") if index % 2 == 0 else pdf_file() for index in range(count)]
    return services.documents_upload(owner=owner, files=files)


def url_of(document: VerificationDocument) -> str:
    return f"http://testserver{document_path(document.document_id)}"


def submit(user, *, documents: list[VerificationDocument] | None = None, **overrides) -> Verification:
    documents = documents if documents is not None else upload_documents(user)
    data = services.VerificationInput(**{**SUBMISSION, **overrides})
    return services.verification_submit(user=user, data=data, document_urls=[url_of(doc) for doc in documents])


def staff_user(**kwargs):
    return UserFactory(is_staff=True, **kwargs)


def approved(user, *, reviewer=None, **overrides) -> Verification:
    verification = submit(user, **overrides)
    return services.verification_review(
        reviewer=reviewer or staff_user(), verification_id=verification.pk, approved=True, admin_note="서류 확인 완료"
    )


def rejected(user, *, reviewer=None, **overrides) -> Verification:
    verification = submit(user, **overrides)
    return services.verification_review(
        reviewer=reviewer or staff_user(), verification_id=verification.pk, approved=False, admin_note="학생증 흐림"
    )
