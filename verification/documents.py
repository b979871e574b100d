"""Judging an uploaded document by its content: magic bytes, then a real decode or structure check.

The file's name and declared content type are never consulted. Images are decoded by Pillow
and re-encoded (which also strips EXIF/GPS metadata); PDFs must have a PDF header and a
trailer whose ``startxref`` points at a cross-reference section or an object.
"""

import re
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile

from config.images import ImageRejection, sanitize_image
from verification import conf
from verification.models import DocumentContentType

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)\s")
_PDF_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_PDF_XREF_TARGET = re.compile(rb"\s*(?:xref\b|\d+\s+\d+\s+obj\b)")
# The trailer sits at the very end; allow for trailing whitespace or a few bytes of junk.
_PDF_TAIL_BYTES = 2048


class DocumentRejection(Exception):
    def __init__(self, reason: str):
        self.reason = reason  # "empty" | "too_large" | "format" | "not_an_image" | "not_a_pdf" | ...
        super().__init__(reason)


@dataclass(frozen=True)
class CleanDocument:
    content_type: str
    content: ContentFile  # named ``<random hex>.<ext>``


def inspect_document(upload) -> CleanDocument:
    """Returns the content to store for ``upload``, or raises :class:`DocumentRejection`."""
    if not upload.size:
        raise DocumentRejection("empty")
    if upload.size > conf.MAX_FILE_BYTES:
        raise DocumentRejection("too_large")
    upload.seek(0)
    head = upload.read(len(_PNG_MAGIC))
    upload.seek(0)
    if head.startswith(_JPEG_MAGIC):
        return _clean_image(upload, "JPEG", DocumentContentType.JPEG)
    if head.startswith(_PNG_MAGIC):
        return _clean_image(upload, "PNG", DocumentContentType.PNG)
    if head.startswith(_PDF_MAGIC):
        return _clean_pdf(upload)
    raise DocumentRejection("format")


def _clean_image(upload, pillow_format: str, content_type: str) -> CleanDocument:
    try:
        content = sanitize_image(
            upload, max_bytes=conf.MAX_FILE_BYTES, max_side=conf.MAX_IMAGE_SIDE, formats=(pillow_format,)
        )
    except ImageRejection as rejection:
        raise DocumentRejection(rejection.reason) from None
    return CleanDocument(content_type=content_type, content=content)


def _clean_pdf(upload) -> CleanDocument:
    upload.seek(0)
    data = upload.read()
    if not is_pdf(data):
        raise DocumentRejection("not_a_pdf")
    return CleanDocument(
        content_type=DocumentContentType.PDF, content=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
    )


def is_pdf(data: bytes) -> bool:
    """A PDF header, and a final ``startxref`` that points inside the file at ``xref`` or an object."""
    if not _PDF_HEADER.match(data):
        return False
    matches = list(_PDF_STARTXREF.finditer(data[-_PDF_TAIL_BYTES:]))
    if not matches:
        return False
    offset = int(matches[-1].group(1))
    if offset <= 0 or offset >= len(data):
        return False
    return _PDF_XREF_TARGET.match(data, offset) is not None
