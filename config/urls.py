from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import health

handler400 = "config.exceptions.handler400"
handler403 = "config.exceptions.handler403"
handler404 = "config.exceptions.handler404"
handler500 = "config.exceptions.handler500"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.HealthzApi.as_view(), name="healthz"),
    path("readyz", health.ReadyzApi.as_view(), name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", authentication_classes=[], permission_classes=[]),
        name="swagger-ui",
    ),
    # Group blind dates: enveloped bodies, seed paths without a trailing slash (one accepted too).
    # Before the "api/" routes, which would otherwise be tried first and fail for every /api/v1/
    # request; hottest app first (URL resolution walks the patterns in order).
    path(
        "api/v1/",
        include([
            path("", include("chat.urls")),
            path("", include("pools.urls")),
            path("", include("verification.urls")),
            path("", include("moderation.urls")),
        ]),
    ),
    # Random calls: bare bodies, trailing slashes as the seed writes them.
    path(
        "api/",
        include([
            path("", include("accounts.urls")),
            path("", include("matching.urls")),
            path("", include("calls.urls")),
            path("", include("ratings.urls")),
            path("", include("gems.urls")),
        ]),
    ),
    # A browser client for developers and QA (plain HTML and JavaScript).
    path("playground/", include("playground.urls")),
]

if settings.SERVE_MEDIA:
    # Public media only (profile images); private documents have their own authenticated views.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT, "show_indexes": False})
    )
