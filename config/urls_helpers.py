from django.urls import path


def v1_path(route: str, view, name: str | None = None) -> list:
    """``/api/v1`` routes answer with and without a trailing slash, never redirecting."""
    return [path(route, view, name=name), path(route + "/", view)]
