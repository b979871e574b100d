"""Images judged by their content and re-encoded, so what we store carries no EXIF/GPS metadata."""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

_FORMAT_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class ImageRejection(Exception):
    reason: str  # "too_large" | "not_an_image" | "format" | "dimensions"


def sanitize_image(
    upload, *, max_bytes: int, max_side: int, formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
) -> ContentFile:
    """Decodes ``upload``, checks format and size, and returns a metadata-free re-encoding.

    Raises :class:`ImageRejection`; the caller maps the reason to its API error.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise ImageRejection("too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            image_format = image.format
            if image_format not in formats:
                raise ImageRejection("format")
            if max(image.size) > max_side:
                raise ImageRejection("dimensions")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ImageRejection("not_an_image") from None

    # Apply the orientation tag before dropping it, so photos stay upright.
    image = ImageOps.exif_transpose(image)
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, format="JPEG", quality=88, optimize=True)
    elif image_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(output, format="PNG", optimize=True)
    else:
        image.save(output, format="WEBP", quality=88)
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{_FORMAT_EXTENSIONS[image_format]}")
