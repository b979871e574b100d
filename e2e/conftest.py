"""Fixtures for the browser tests: Debian's Chromium through Playwright, one context per person,
and numbered screenshots of every step in ``test-artifacts/e2e/<test>/``.

scripts/e2e.sh starts the server and the seed, then sets:
  E2E_BASE_URL   the live server (http://127.0.0.1:<port>)
  E2E_SEED       the JSON e2e/seed.py wrote (accounts and ids)
  E2E_ARTIFACTS  where screenshots go (default: test-artifacts/e2e)
  E2E_CHROMIUM   the browser (default: /usr/bin/chromium)
"""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STEP_TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def base_url() -> str:
    return os.environ["E2E_BASE_URL"].rstrip("/")


@pytest.fixture(scope="session")
def seed() -> dict:
    return json.loads(Path(os.environ["E2E_SEED"]).read_text())


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


class Shots:
    """``shots(page, "accepted")`` saves ``<nn>-<person>-accepted.png``; every page again on failure."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*"):
            old.unlink()

    def __call__(self, page, step: str) -> None:
        self.count += 1
        person = getattr(page, "person", "page")
        page.screenshot(path=self.folder / f"{self.count:02d}-{person}-{step}.png", full_page=True)


@pytest.fixture
def shots(request) -> Shots:
    folder = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e")) / request.node.name
    return Shots(folder)


@pytest.fixture
def person(browser, base_url, shots, request):
    """``person("alice", locale="ko-KR")`` -> a Page in its own browser context (own storage, own camera)."""
    contexts = []

    def open_person(name: str, *, locale: str = "ko-KR"):
        context = browser.new_context(base_url=base_url, locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        page.person = name
        page.console_lines = []
        page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: page.console_lines.append(f"pageerror: {error}"))
        contexts.append((name, context, page))
        return page

    yield open_person

    for name, context, page in contexts:
        if getattr(request.node, "call_failed", False):
            try:
                shots(page, "at-failure")
            except Exception as error:  # a crashed page cannot be captured; say so and go on
                print(f"no failure screenshot of {name}: {error}")
        (shots.folder / f"console-{re.sub(r'[^a-z0-9_-]', '_', name)}.log").write_text("\n".join(page.console_lines))
        context.close()
