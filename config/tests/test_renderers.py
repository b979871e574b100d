"""ApiJSONRenderer writes with orjson; the bytes must be those DRF's JSONRenderer writes."""

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from config.renderers import ApiJSONRenderer

PAYLOADS = [
    {"message": "안녕하세요 👋", "count": 3, "ok": True, "none": None, "ratio": 4.3, "big": 2**62},
    {"line": "a\u2028b\u2029c", "quote": 'say "hi"\\', "control": "\x00\x1f\t\n"},
    {
        "utc": datetime(2026, 11, 22, 23, 15, 18, 123456, tzinfo=UTC),
        "utc_zoneinfo": datetime(2026, 11, 22, 23, 15, tzinfo=ZoneInfo("UTC")),
        "seoul": datetime(2026, 11, 23, 8, 15, tzinfo=ZoneInfo("Asia/Seoul")),
        "fixed_zero": datetime(2026, 1, 1, tzinfo=timezone(timedelta(0))),
        "naive": datetime(2026, 1, 1, 12, 0, 0, 5),
        "date": date(2026, 2, 28),
        "time": time(8, 30, 15, 250),
    },
    {"id": uuid.UUID("6f1c7c1e-2a43-4b7d-9d7e-0a8e7c0f4d21"), "price": Decimal("1.50"), "lazy": gettext_lazy("Success")},
    {"duration": timedelta(minutes=3, seconds=5), 7: "int key", "nested": [[{"a": []}], {}]},
    ReturnDict({"a": ReturnList([1, 2], serializer=None)}, serializer=None),
    [],
    "plain",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_bytes_are_drfs(payload):
    assert ApiJSONRenderer().render(payload) == JSONRenderer().render(payload)


def test_no_body_and_indented_bodies_are_left_to_drf():
    assert ApiJSONRenderer().render(None) == b""
    indented = ApiJSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert b"\n" in indented
