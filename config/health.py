"""``/healthz``: the process answers. ``/readyz``: its database, cache, channel layer and broker answer."""

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _cache_ok() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        return cache.get(key) == "1"
    except Exception:  # noqa: BLE001 - any backend failure means "not ready"
        logger.warning("cache check failed", exc_info=True)
        return False


def _channel_layer_ok() -> bool:
    try:
        async_to_sync(get_channel_layer().group_send)("readyz", {"type": "readyz.ping"})
        return True
    except Exception:  # noqa: BLE001 - any backend failure means "not ready"
        logger.warning("channel layer check failed", exc_info=True)
        return False


def _broker_ok() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any broker failure means "not ready"
        logger.warning("broker check failed", exc_info=True)
        return False


def readyz(request):
    checks = {
        "database": _database_ok(),
        "cache": _cache_ok(),
        "channel_layer": _channel_layer_ok(),
        "broker": _broker_ok(),
    }
    down = [name for name, ok in checks.items() if not ok]
    status = 503 if down else 200
    return JsonResponse({"status": "unavailable" if down else "ok", "checks": checks, "down": down}, status=status)
