"""The authenticated document download: the owner and staff only, never a public path."""

import os
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from config.testing import UserFactory, access_token_for
from verification.tests.factories import TIMESTAMP, document_path, pdf_bytes, staff_user, upload_documents

pytestmark = pytest.mark.django_db


def file_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert TIMESTAMP.match(body["timestamp"])


@pytest.fixture
def owner(user_factory):
    return user_factory()


@pytest.fixture
def documents(owner):
    png, pdf = upload_documents(owner, count=2)
    return png, pdf


def stored_bytes(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_the_owner_downloads_an_image_inline_with_safe_headers(auth_client, owner, documents):
    png, _ = documents
    response = auth_client(owner).get(document_path(png.document_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="{png.document_id}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert file_bytes(response) == stored_bytes(png)


def test_the_owner_downloads_a_pdf_as_an_attachment(auth_client, owner, documents):
    _, pdf = documents
    response = auth_client(owner).get(document_path(pdf.document_id) + "/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{pdf.document_id}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert file_bytes(response) == pdf_bytes()


def test_an_image_accept_header_still_gets_the_file(auth_client, owner, documents):
    png, _ = documents
    response = auth_client(owner).get(document_path(png.document_id), HTTP_ACCEPT="image/avif,image/webp,image/*")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_staff_download_with_a_bearer_token(auth_client, documents):
    png, _ = documents
    response = auth_client(staff_user()).get(document_path(png.document_id))
    assert response.status_code == 200
    assert file_bytes(response) == stored_bytes(png)


def test_staff_download_with_the_admin_session(documents):
    _, pdf = documents
    client = Client()
    client.force_login(staff_user())
    response = client.get(document_path(pdf.document_id))
    assert response.status_code == 200
    assert file_bytes(response) == pdf_bytes()


def test_a_non_staff_session_is_not_enough(owner, documents):
    # Even the owner: outside the admin, documents need the Bearer token.
    png, _ = documents
    client = Client()
    client.force_login(owner)
    assert_error(client.get(document_path(png.document_id)), 401, "UNAUTHORIZED")


def test_another_user_gets_404(auth_client, documents):
    png, pdf = documents
    stranger = UserFactory()
    for document in (png, pdf):
        assert_error(auth_client(stranger).get(document_path(document.document_id)), 404, "NOT_FOUND")


def test_another_users_404_is_the_same_as_for_a_missing_document(auth_client, documents):
    png, _ = documents
    stranger = auth_client(UserFactory())
    foreign = stranger.get(document_path(png.document_id)).json()
    missing = stranger.get(document_path(uuid.uuid4())).json()
    assert foreign["error"] == missing["error"]


def test_anonymous_gets_401(api_client, documents):
    png, _ = documents
    assert_error(api_client.get(document_path(png.document_id)), 401, "UNAUTHORIZED")


def test_an_invalid_token_gets_401(api_client, documents):
    png, _ = documents
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(api_client.get(document_path(png.document_id)), 401, "TOKEN_INVALID")


def test_a_token_in_the_query_string_is_not_accepted(api_client, owner, documents):
    png, _ = documents
    response = api_client.get(document_path(png.document_id), {"token": access_token_for(owner)})
    assert_error(response, 401, "UNAUTHORIZED")


def test_a_banned_owner_is_refused(auth_client, owner, documents):
    png, _ = documents
    client = auth_client(owner)
    owner.is_banned = True
    owner.save(update_fields=["is_banned"])
    assert_error(client.get(document_path(png.document_id)), 403, "ACCOUNT_BANNED")


def test_a_suspended_staff_session_is_refused(documents):
    png, _ = documents
    reviewer = staff_user(suspended_until=timezone.now() + timezone.timedelta(days=1))
    client = Client()
    client.force_login(reviewer)
    assert_error(client.get(document_path(png.document_id)), 401, "UNAUTHORIZED")


def test_a_document_whose_file_is_gone_is_404(auth_client, owner, documents):
    png, _ = documents
    png.file.storage.delete(png.file.name)
    assert_error(auth_client(owner).get(document_path(png.document_id)), 404, "NOT_FOUND")


def test_a_malformed_document_id_is_404(auth_client, owner):
    response = auth_client(owner).get("/api/v1/verification/documents/not-a-uuid")
    assert_error(response, 404, "NOT_FOUND")


def test_other_methods_are_not_allowed(auth_client, owner, documents):
    png, _ = documents
    assert_error(auth_client(owner).delete(document_path(png.document_id)), 405, "METHOD_NOT_ALLOWED")
    assert png.file.storage.exists(png.file.name)


# --- No public or unauthenticated path reaches a document --------------------------------------


def test_documents_are_stored_outside_the_public_media_root(documents):
    media_root = Path(settings.MEDIA_ROOT).resolve()
    private_root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for document in documents:
        path = Path(document.file.path).resolve()
        assert path.is_relative_to(private_root)
        assert not path.is_relative_to(media_root)


def test_documents_have_no_storage_url(documents):
    for document in documents:
        with pytest.raises(ValueError):
            document.file.url


def _relative_to_media(document) -> str:
    return str(Path(document.file.path).resolve().relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve()))


def test_nothing_under_media_url_serves_a_document(documents):
    client = Client(raise_request_exception=False)
    # The folder the public media route really serves (bound when the URLconf was loaded).
    served_root = Path(
        resolve(f"{settings.MEDIA_URL}probe").kwargs["document_root"] if settings.SERVE_MEDIA else settings.MEDIA_ROOT
    )
    for document in documents:
        relative = _relative_to_media(document)
        climb = os.path.relpath(Path(document.file.path).resolve(), served_root.resolve())
        candidates = [
            f"{settings.MEDIA_URL}{relative}",
            f"{settings.MEDIA_URL}{document.file.name}",
            f"{settings.MEDIA_URL}{Path(document.file.name).name}",
            f"{settings.MEDIA_URL}private/{relative}",
            f"{settings.MEDIA_URL}{climb}",
            f"{settings.MEDIA_URL}{climb.replace('/', '%2F')}",
        ]
        content = stored_bytes(document)
        for url in candidates:
            response = client.get(url)
            # 404, or 400 for a path that tries to climb out of the media root.
            assert response.status_code in (400, 404), url
            body = file_bytes(response) if response.streaming else response.content
            assert content not in body, url


def _concrete_paths(patterns, prefix: str, values: dict[str, str]):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _concrete_paths(pattern.url_patterns, prefix + _fill(str(pattern.pattern), values), values)
        elif isinstance(pattern, URLPattern):
            yield prefix + _fill(str(pattern.pattern), values)


def _fill(route: str, values: dict[str, str]) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    # Regex routes (media, the admin's catch-all): every named group gets the "path" value.
    route = re.sub(r"\(\?P<\w+>[^)]*\)", values["path"], route)
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda match: values.get(match.group(1) or "str", "1"), route)


def test_no_url_in_the_project_serves_a_document_without_authentication(documents):
    """Walks every HTTP route, fills its parameters with the document's id and file path, and
    fetches it anonymously: none answers with a document's bytes."""
    client = Client(raise_request_exception=False)
    paths = set()
    for document in documents:
        document_id = str(document.document_id)
        for path_value in (_relative_to_media(document), document.file.name, document_id):
            values = {"uuid": document_id, "str": document_id, "path": path_value, "int": "1", "slug": document_id}
            paths.update(_concrete_paths(get_resolver().url_patterns, "/", values))
    contents = [stored_bytes(document) for document in documents]
    assert any("verification/documents/" in path for path in paths)
    assert any(path.startswith(settings.MEDIA_URL) for path in paths) == settings.SERVE_MEDIA
    for path in sorted(paths):
        response = client.get(path)
        body = file_bytes(response) if response.streaming else response.content
        for content in contents:
            assert content not in body, path
        if "verification/documents/" in path:
            assert response.status_code == 401
