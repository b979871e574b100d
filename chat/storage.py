"""Chat images live under PRIVATE_MEDIA_ROOT and are served only to the room's members."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateChatStorage(FileSystemStorage):
    """Resolves the root on every use, so a changed ``PRIVATE_MEDIA_ROOT`` (tests) is honoured."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.PRIVATE_MEDIA_ROOT))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def chat_attachment_storage() -> PrivateChatStorage:
    return PrivateChatStorage()
