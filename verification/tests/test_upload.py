"""POST /api/v1/verification/upload: 1-5 files, each ≤ 10 MB, JPG/PNG/PDF judged by content."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from config.testing import image_bytes
from verification import conf, services
from verification.errors import DocumentTooLarge, TooManyFiles
from verification.models import VerificationDocument
from verification.tests.factories import TIMESTAMP, UPLOAD, document_path, jpeg_file, pdf_bytes, pdf_file, png_file
from verification.uploads import DocumentLimitsUploadHandler

pytestmark = pytest.mark.django_db

# The start of a Windows executable: the "MZ" DOS header and its stub message.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)


def private_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def assert_error(response, status: int, code: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    if message is not None:
        assert body["error"]["message"] == message
    assert TIMESTAMP.match(body["timestamp"])
    return body


def assert_nothing_stored():
    assert VerificationDocument.objects.count() == 0
    assert private_files() == []


def test_upload_stores_each_file_privately_and_returns_authenticated_urls(auth_client, user):
    files = [png_file("학생증.png"), jpeg_file("card.jpg"), pdf_file("certificate.pdf")]

    response = auth_client(user).post(UPLOAD, {"files": files}, format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "서류가 업로드되었습니다."
    documents = list(VerificationDocument.objects.filter(owner=user))
    by_id = {str(document.document_id): document for document in documents}
    assert body["data"]["count"] == 3
    urls = body["data"]["uploaded_files"]
    assert len(urls) == 3
    assert [url.removeprefix("http://testserver") for url in urls] == [
        document_path(document_id) for document_id in [url.rsplit("/", 1)[1] for url in urls]
    ]
    types = [by_id[url.rsplit("/", 1)[1]].content_type for url in urls]
    assert types == ["image/png", "image/jpeg", "application/pdf"]

    stored = private_files()
    assert len(stored) == 3
    private_root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for path in stored:
        assert path.resolve().is_relative_to(private_root)
        assert not path.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        # Random names: nothing of the client's file name survives.
        assert "학생증" not in path.name and "card" not in path.name and "certificate" not in path.name
        assert len(path.stem) == 32
    pdf = next(document for document in documents if document.content_type == "application/pdf")
    assert pdf.file.read() == pdf_bytes()
    assert pdf.size == len(pdf_bytes())


def test_upload_of_the_maximum_five_files(auth_client, user):
    files = [png_file(f"{index}.png") for index in range(5)]
    response = auth_client(user).post(UPLOAD, {"files": files}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["data"]["count"] == 5
    assert VerificationDocument.objects.filter(owner=user).count() == 5


def test_images_are_re_encoded_without_exif(auth_client, user):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    upload = SimpleUploadedFile("gps.jpg", image_bytes("JPEG", exif=exif.tobytes()), content_type="image/jpeg")

    response = auth_client(user).post(UPLOAD, {"files": [upload]}, format="multipart")

    assert response.status_code == 201, response.content
    document = VerificationDocument.objects.get(owner=user)
    with Image.open(document.file) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}


def test_the_declared_content_type_and_name_are_ignored(auth_client, user):
    # A real PNG sent as "application/pdf" named .pdf is stored and served as the PNG it is.
    disguised = SimpleUploadedFile("scan.pdf", image_bytes("PNG"), content_type="application/pdf")
    response = auth_client(user).post(UPLOAD, {"files": [disguised]}, format="multipart")
    assert response.status_code == 201, response.content
    document = VerificationDocument.objects.get(owner=user)
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")


def test_upload_without_a_token_is_unauthorized(api_client):
    response = api_client.post(UPLOAD, {"files": [png_file()]}, format="multipart")
    assert_error(response, 401, "UNAUTHORIZED")
    assert_nothing_stored()


def test_a_png_that_is_really_text_is_refused(auth_client, user):
    fake = SimpleUploadedFile("card.png", b"hello, I am only text pretending to be a PNG", content_type="image/png")
    response = auth_client(user).post(UPLOAD, {"files": [png_file(), fake]}, format="multipart")
    body = assert_error(response, 400, "INVALID_DOCUMENT", "잘못된 서류 형식")
    assert body["error"]["details"] == {"files": ["1: format"]}
    assert_nothing_stored()


def test_a_png_header_on_garbage_fails_the_decode(auth_client, user):
    fake = SimpleUploadedFile("card.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50, content_type="image/png")
    response = auth_client(user).post(UPLOAD, {"files": [fake]}, format="multipart")
    body = assert_error(response, 400, "INVALID_DOCUMENT")
    assert body["error"]["details"] == {"files": ["0: not_an_image"]}
    assert_nothing_stored()


def test_a_pdf_that_is_really_an_exe_is_refused(auth_client, user):
    exe = SimpleUploadedFile("certificate.pdf", EXE_BYTES, content_type="application/pdf")
    response = auth_client(user).post(UPLOAD, {"files": [exe]}, format="multipart")
    body = assert_error(response, 400, "INVALID_DOCUMENT", "잘못된 서류 형식")
    assert body["error"]["details"] == {"files": ["0: format"]}
    assert_nothing_stored()


def test_an_exe_behind_a_pdf_header_fails_the_structure_check(auth_client, user):
    exe = SimpleUploadedFile("certificate.pdf", b"%PDF-1.7\n" + EXE_BYTES, content_type="application/pdf")
    response = auth_client(user).post(UPLOAD, {"files": [exe]}, format="multipart")
    body = assert_error(response, 400, "INVALID_DOCUMENT")
    assert body["error"]["details"] == {"files": ["0: not_a_pdf"]}
    assert_nothing_stored()


@pytest.mark.parametrize(
    "content",
    [
        image_bytes("WEBP"),
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"<html><script>alert(1)</script></html>",
    ],
    ids=["webp", "gif", "svg", "html"],
)
def test_other_formats_are_refused(auth_client, user, content):
    upload = SimpleUploadedFile("card.jpg", content, content_type="image/jpeg")
    response = auth_client(user).post(UPLOAD, {"files": [upload]}, format="multipart")
    assert_error(response, 400, "INVALID_DOCUMENT")
    assert_nothing_stored()


def test_an_empty_file_is_refused(auth_client, user):
    empty = SimpleUploadedFile("card.png", b"", content_type="image/png")
    response = auth_client(user).post(UPLOAD, {"files": [empty]}, format="multipart")
    body = assert_error(response, 400, "INVALID_DOCUMENT")
    assert body["error"]["details"] == {"files": ["0: empty"]}
    assert_nothing_stored()


def test_a_sixth_file_is_refused(auth_client, user):
    files = [png_file(f"{index}.png") for index in range(6)]
    response = auth_client(user).post(UPLOAD, {"files": files}, format="multipart")
    body = assert_error(response, 400, "VALIDATION_ERROR", "파일은 한 번에 최대 5개까지 업로드할 수 있습니다.")
    assert body["error"]["details"] == {"files": ["파일은 한 번에 최대 5개까지 업로드할 수 있습니다."]}
    assert_nothing_stored()


def test_files_under_other_field_names_count_towards_the_limit(auth_client, user):
    data = {"files": [png_file(f"{index}.png") for index in range(5)], "extra": png_file("x.png")}
    response = auth_client(user).post(UPLOAD, data, format="multipart")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert_nothing_stored()


def test_no_files_is_a_validation_error(auth_client, user):
    response = auth_client(user).post(UPLOAD, {"note": "nothing"}, format="multipart")
    body = assert_error(response, 400, "VALIDATION_ERROR", "파일을 1개 이상 첨부해 주세요.")
    assert body["error"]["details"] == {"files": ["파일을 1개 이상 첨부해 주세요."]}
    assert_nothing_stored()


def test_an_11_mb_file_is_refused(auth_client, user):
    big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"\x00" * (11 * 1024 * 1024), content_type="application/pdf")
    response = auth_client(user).post(UPLOAD, {"files": [png_file(), big]}, format="multipart")
    body = assert_error(response, 413, "PAYLOAD_TOO_LARGE", "파일 하나의 최대 크기는 10MB입니다.")
    assert body["error"]["details"] == {"files": ["1: too_large"]}
    assert_nothing_stored()


def test_a_file_of_exactly_10_mb_is_accepted(auth_client, user):
    # A valid PDF padded with a comment to exactly the limit (the trailer stays at the end).
    pdf = pdf_bytes()
    trailer_at = pdf.rindex(b"startxref")
    padding = conf.MAX_FILE_BYTES - len(pdf) - 2
    body = pdf[:trailer_at] + b"%" + b"x" * padding + b"\n" + pdf[trailer_at:]
    assert len(body) == conf.MAX_FILE_BYTES
    upload = SimpleUploadedFile("exact.pdf", body, content_type="application/pdf")
    response = auth_client(user).post(UPLOAD, {"files": [upload]}, format="multipart")
    assert response.status_code == 201, response.content
    assert VerificationDocument.objects.get(owner=user).size == conf.MAX_FILE_BYTES


def test_a_request_declaring_more_than_five_full_files_is_refused_before_parsing(auth_client, user, monkeypatch):
    def parse_must_not_run(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("rest_framework.parsers.MultiPartParser.parse", parse_must_not_run)
    declared = conf.max_request_bytes() + 1
    assert declared < settings.MAX_REQUEST_BODY_BYTES  # the app's own limit, tighter than the global one
    response = auth_client(user).generic(
        "POST", UPLOAD, b"--x--\r\n", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(declared)
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE", "업로드 용량이 너무 큽니다. 최대 10MB 파일 5개까지 업로드할 수 있습니다.")
    assert_nothing_stored()


def test_the_streaming_handler_stops_at_the_first_byte_past_10_mb():
    handler = DocumentLimitsUploadHandler()
    handler.new_file("files", "a.pdf", "application/pdf", None)
    chunk = b"\x00" * (64 * 1024)
    received = 0
    with pytest.raises(DocumentTooLarge):
        while True:
            assert handler.receive_data_chunk(chunk, received) == chunk
            received += len(chunk)
    assert received == conf.MAX_FILE_BYTES  # exactly 10 MB passed; the next chunk was refused


def test_the_streaming_handler_stops_at_the_sixth_file():
    handler = DocumentLimitsUploadHandler()
    for index in range(5):
        handler.new_file("files", f"{index}.png", "image/png", None)
    with pytest.raises(TooManyFiles):
        handler.new_file("files", "5.png", "image/png", None)


def test_a_json_body_is_an_unsupported_media_type(auth_client, user):
    response = auth_client(user).post(UPLOAD, {"files": ["x"]}, format="json")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_nothing_stored()


def test_get_is_not_allowed(auth_client, user):
    assert_error(auth_client(user).get(UPLOAD), 405, "METHOD_NOT_ALLOWED")


def test_english_messages_on_request(auth_client, user):
    fake = SimpleUploadedFile("card.png", b"text", content_type="image/png")
    response = auth_client(user).post(UPLOAD, {"files": [fake]}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 400, "INVALID_DOCUMENT", "Invalid document format")


def test_a_failed_database_write_leaves_no_file_behind(user, monkeypatch):
    def failing_bulk_create(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(VerificationDocument.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(DatabaseError):
        services.documents_upload(owner=user, files=[png_file(), pdf_file()])
    assert_nothing_stored()


def test_an_image_over_the_side_limit_is_refused(auth_client, user, monkeypatch):
    monkeypatch.setattr(conf, "MAX_IMAGE_SIDE", 64)
    buffer = io.BytesIO()
    Image.new("L", (65, 8)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("wide.png", buffer.getvalue(), content_type="image/png")

    response = auth_client(user).post(UPLOAD, {"files": [upload]}, format="multipart")

    body = assert_error(response, 400, "INVALID_DOCUMENT")
    assert body["error"]["details"] == {"files": ["0: dimensions"]}
    assert_nothing_stored()


def test_uploads_are_rate_limited(auth_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification_upload": "2/h"}
    client = auth_client(user)
    for _ in range(2):
        response = client.post(UPLOAD, {"files": [png_file()]}, format="multipart")
        assert response.status_code == 201, response.content
        assert response["X-RateLimit-Limit"] == "2"
    refused = client.post(UPLOAD, {"files": [png_file()]}, format="multipart")
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert VerificationDocument.objects.count() == 2
