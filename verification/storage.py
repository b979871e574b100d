"""Private file storage: verification documents live under PRIVATE_MEDIA_ROOT, never under MEDIA_ROOT.

They have no public URL; the only way to read one is the authenticated download view
(``verification.views.DocumentDownloadApi``), which serves it to its owner and staff.
"""

import os
from functools import lru_cache

from django.core.files.storage import FileSystemStorage

from verification import conf


class PrivateDocumentStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(conf.private_media_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private documents have no public URL; use the authenticated download view.")


@lru_cache(maxsize=1)
def private_document_storage() -> PrivateDocumentStorage:
    return PrivateDocumentStorage(directory_permissions_mode=0o700, file_permissions_mode=0o600)
