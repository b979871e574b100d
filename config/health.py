"""``/healthz``: the process answers. ``/readyz``: its database, cache, channel layer and broker answer."""

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


class PublicProbe(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class HealthzApi(PublicProbe):
    @extend_schema(
        summary="Liveness probe (ext)",
        tags=["health"],
        responses={200: inline_serializer("Healthz", {"status": serializers.CharField()})},
    )
    def get(self, request):
        return Response({"status": "ok"})


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


class ReadyzApi(PublicProbe):
    @extend_schema(
        summary="Readiness probe (ext)",
        description="200 when the database, cache, channel layer and Celery broker answer; 503 naming what is down.",
        tags=["health"],
        responses={
            (200, "application/json"): inline_serializer(
                "Readyz",
                {
                    "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
                    "checks": serializers.DictField(child=serializers.BooleanField()),
                    "down": serializers.ListField(child=serializers.CharField()),
                },
            ),
        },
    )
    def get(self, request):
        return readiness()


def readiness() -> Response:
    checks = {
        "database": _database_ok(),
        "cache": _cache_ok(),
        "channel_layer": _channel_layer_ok(),
        "broker": _broker_ok(),
    }
    down = [name for name, ok in checks.items() if not ok]
    status = 503 if down else 200
    return Response({"status": "unavailable" if down else "ok", "checks": checks, "down": down}, status=status)
