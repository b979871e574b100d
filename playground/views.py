"""The playground: one HTML page and static JavaScript that drive the public API like a mobile app.

The page holds no data and no secrets: the browser signs in over the same REST API and sockets a
mobile client uses, and keeps its tokens in memory only. It is served with a strict
Content-Security-Policy (scripts and styles from this origin only, no inline code, sockets and
fetches to this host only), so the page can be opened on a production host without widening
what a script injected into an API response could do.
"""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe


def content_security_policy(request) -> str:
    host = request.get_host()
    socket_origins = f"ws://{host} wss://{host}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            # Profile photos come from this host; chat attachments are fetched with the token
            # and shown as blob: URLs; the generated sign-up avatar is a data: URL.
            "img-src 'self' blob: data:",
            "media-src 'self' blob: mediastream:",
            f"connect-src 'self' {socket_origins}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


@require_safe
def playground(request):
    response = TemplateResponse(request, "playground/index.html")
    response["Content-Security-Policy"] = content_security_policy(request)
    response["Referrer-Policy"] = "no-referrer"
    # Camera and microphone for calls on this origin only; nothing else.
    response["Permissions-Policy"] = "camera=(self), microphone=(self), geolocation=(self)"
    response["Cache-Control"] = "no-store"
    return response
