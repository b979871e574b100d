"""The verification app's settings, each overridable in Django settings."""

from datetime import timedelta

from django.conf import settings

MiB = 1024 * 1024

# Seed §1.4: at most 5 files per upload, each at most 10 MB, JPG/PNG/PDF.
MAX_FILES = getattr(settings, "VERIFICATION_UPLOAD_MAX_FILES", 5)
MAX_FILE_BYTES = getattr(settings, "VERIFICATION_UPLOAD_MAX_FILE_BYTES", 10 * MiB)
# Room for multipart boundaries and part headers around the largest allowed set of files.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# Images larger than this on a side are refused (a decompression-bomb guard; phone photos fit).
MAX_IMAGE_SIDE = getattr(settings, "VERIFICATION_IMAGE_MAX_SIDE", 10000)


def private_media_root():
    # Read on every use: tests point PRIVATE_MEDIA_ROOT at a fresh folder per test.
    return settings.PRIVATE_MEDIA_ROOT


def max_request_bytes() -> int:
    return MAX_FILES * MAX_FILE_BYTES + MULTIPART_OVERHEAD_BYTES


# Uploaded documents never attached to a submission are deleted after this long.
UNSUBMITTED_DOCUMENT_TTL = getattr(settings, "VERIFICATION_UNSUBMITTED_DOCUMENT_TTL", timedelta(days=7))
