"""Fixtures every app's tests share.

Tests marked ``postgres`` or ``redis`` need the real services; without them they skip with the
reason, except when ``REQUIRE_SERVICES=1`` (CI), where a missing service is an error.
"""

import os

import pytest
from channels.layers import channel_layers
from django.conf import settings as django_settings
from django.core.cache import cache

from config import asyncdb
from config.testing import UserFactory, auth_client_for


def _services() -> dict[str, bool]:
    return {
        "postgres": django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "redis": bool(django_settings.REDIS_URL),
    }


def pytest_collection_modifyitems(config, items):
    available = _services()
    required = os.environ.get("REQUIRE_SERVICES") == "1"
    missing = [name for name, ok in available.items() if not ok]
    if required and missing:
        raise pytest.UsageError(
            f"REQUIRE_SERVICES=1 but not configured: {', '.join(missing)} (set DATABASE_URL / REDIS_URL)"
        )
    reasons = {
        "postgres": "needs PostgreSQL: set DATABASE_URL=postgres://...",
        "redis": "needs Redis: set REDIS_URL=redis://...",
    }
    for item in items:
        for name in missing:
            if name in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reasons[name]))


@pytest.fixture(scope="session", autouse=True)
def _close_connections_of_the_async_thread(django_db_setup, django_db_blocker):
    """Async tests run ORM code in asgiref's shared sync thread; close its connection before the
    test database is dropped, or PostgreSQL refuses to drop a database still in use."""
    yield
    import asyncio

    from asgiref.sync import sync_to_async
    from django.db import connections

    with django_db_blocker.unblock():
        asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    # A channel layer instance holds per-event-loop state; every test gets its own loop, so
    # every test gets a fresh layer instead of one bound to a closed loop.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    # Connections opened from a loop that is still open (config.asyncdb closes the others with
    # their loop): the test database cannot be dropped while they are open.
    asyncdb.close_idle_connections()
    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture
def user(user_factory):
    return user_factory()


@pytest.fixture
def auth_client():
    """``auth_client(user)`` → an APIClient sending that user's access token."""
    return auth_client_for
