"""Refusing oversized uploads while they stream in, before anything is buffered whole."""

from django.core.files.uploadhandler import FileUploadHandler

from verification import conf
from verification.errors import DocumentTooLarge, TooManyFiles, UploadTooLarge


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def refuse_oversized_request(request) -> None:
    """Called before the body is parsed: a declared length over 5 x 10 MB (+ multipart framing) is a 413."""
    if declared_length(request) > conf.max_request_bytes():
        raise UploadTooLarge()


class DocumentLimitsUploadHandler(FileUploadHandler):
    """Stops the multipart parse at the sixth file or the first byte past 10 MB in any file.

    It runs before Django's own handlers and passes every chunk on unchanged; raising here
    aborts the parse, and the parser closes the temporary files it had opened.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.file_count = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > conf.max_request_bytes():
            raise UploadTooLarge()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_count += 1
        if self.file_count > conf.MAX_FILES:
            raise TooManyFiles(details={"files": [str(TooManyFiles.default_message)]})

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > conf.MAX_FILE_BYTES:
            raise DocumentTooLarge(details={"files": [f"{self.file_count - 1}: too_large"]})
        return raw_data

    def file_complete(self, file_size):
        return None
