"""Content checks for documents, below the API: the PDF structure check and the magic bytes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.testing import image_bytes
from verification.documents import DocumentRejection, inspect_document, is_pdf
from verification.tests.factories import pdf_bytes


def test_a_real_pdf_passes():
    assert is_pdf(pdf_bytes())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda pdf: pdf.replace(b"%PDF-1.4", b"%PDF-9.9", 1),
        lambda pdf: pdf[: pdf.rindex(b"startxref")],
        lambda pdf: pdf.replace(b"%%EOF", b"", 1)[:-1],
        lambda pdf: pdf[: pdf.rindex(b"startxref")] + b"startxref\n999999999\n%%EOF\n",
        lambda pdf: pdf[: pdf.rindex(b"startxref")] + b"startxref\n3\n%%EOF\n",
        lambda pdf: b"%PDF-1.4\n" + b"A" * 500,
    ],
    ids=["bad-version", "no-trailer", "no-eof", "offset-past-end", "offset-not-at-xref", "header-only"],
)
def test_broken_pdfs_fail(mutate):
    assert not is_pdf(mutate(pdf_bytes()))


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(image_bytes("PNG"), "image/png"), (image_bytes("JPEG"), "image/jpeg"), (pdf_bytes(), "application/pdf")],
)
def test_inspect_names_the_type_from_the_content(content, content_type):
    clean = inspect_document(SimpleUploadedFile("whatever.txt", content, content_type="text/plain"))
    assert clean.content_type == content_type
    extension = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}[content_type]
    assert clean.content.name.endswith(f".{extension}") and len(clean.content.name) == 32 + 1 + len(extension)


def test_a_jpeg_header_on_a_png_body_fails_the_decode():
    content = b"\xff\xd8\xff" + image_bytes("PNG")
    with pytest.raises(DocumentRejection) as rejection:
        inspect_document(SimpleUploadedFile("x.jpg", content))
    assert rejection.value.reason == "not_an_image"
