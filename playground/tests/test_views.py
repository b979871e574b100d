import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

STATIC = Path(__file__).resolve().parent.parent / "static" / "playground"
EXPECTED_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob: mediastream:; connect-src 'self' ws://testserver wss://testserver; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def test_the_page_is_served_with_a_strict_content_security_policy(client):
    response = client.get("/playground/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_the_socket_origins_follow_the_host_the_page_was_asked_for(client, settings):
    settings.ALLOWED_HOSTS = ["play.example.org"]

    response = client.get("/playground/", HTTP_HOST="play.example.org")

    assert "connect-src 'self' ws://play.example.org wss://play.example.org;" in response["Content-Security-Policy"]


def test_the_page_has_no_inline_code_the_policy_would_block(client):
    html = client.get("/playground/").content.decode()

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts == [(' type="module" src="/static/playground/js/app.js"', "")]
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_safe_methods_are_allowed(client, method):
    response = getattr(client, method)("/playground/")

    assert response.status_code == 405


def test_every_static_file_the_page_loads_exists():
    modules = {"playground/playground.css", "playground/js/app.js"}
    for source in (STATIC / "js").glob("*.js"):
        for imported in re.findall(r'from "\./([a-z]+\.js)"', source.read_text()):
            modules.add(f"playground/js/{imported}")

    assert modules >= {f"playground/js/{name}.js" for name in ("api", "call", "chat", "random", "socket", "ui")}
    assert [name for name in sorted(modules) if finders.find(name) is None] == []


def test_tokens_are_kept_in_memory_only():
    sources = {path.name: path.read_text() for path in (STATIC / "js").glob("*.js")}
    code = {
        name: "\n".join(line for line in source.splitlines() if not line.strip().startswith("//"))
        for name, source in sources.items()
    }

    for name, source in code.items():
        for storage in ("localStorage", "sessionStorage", "document.cookie", "indexedDB"):
            assert storage not in source, (name, storage)
    # The client holds both tokens in private fields only.
    assert "#access = null;" in sources["api.js"] and "#refresh = null;" in sources["api.js"]
