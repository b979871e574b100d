from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer

from config.responses import is_v1_path, utc_timestamp


class ApiJSONRenderer(JSONRenderer):
    """Bare bodies under ``/api/``; the ``{success, data, message, timestamp}`` envelope under ``/api/v1/``.

    Error bodies are already enveloped by the exception handler and pass through untouched.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        request = renderer_context.get("request")
        response = renderer_context.get("response")
        if (
            request is not None
            and response is not None
            and response.status_code < 400
            and not getattr(response, "exception", False)
            and is_v1_path(request.path)
        ):
            data = {
                "success": True,
                "data": data,
                "message": str(self._message(response, data)),
                "timestamp": utc_timestamp(),
            }
        return super().render(data, accepted_media_type, renderer_context)

    @staticmethod
    def _message(response, data):
        explicit = getattr(response, "envelope_message", None)
        if explicit is not None:
            return explicit
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return data["message"]
        return _("Success")
