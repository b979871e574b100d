"""The product's URLconf plus the baseline views, mounted only in benchmark servers."""

from django.http import JsonResponse
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401

# About the size of a profile body, so the baseline serializes a similar amount of JSON.
BARE_BODY = {
    "user_id": "6f1c7c1e-2a43-4b7d-9d7e-0a8e7c0f4d21",
    "username": "bench_user",
    "age": 25,
    "gender": "male",
    "profile_image": None,
}


def bare(request):
    """The baseline: a Django view behind the full middleware stack, no DRF, no auth, no database."""
    return JsonResponse(BARE_BODY)


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("config.urls")),
]
