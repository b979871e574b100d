from django.conf import settings

from config.errors import PayloadTooLarge
from config.exceptions import json_error_response


class RequestSizeLimitMiddleware:
    """Refuses bodies whose declared length is over the limit before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return json_error_response(PayloadTooLarge())
        return self.get_response(request)
