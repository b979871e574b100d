"""Settings of the servers the benchmarks start: the product's settings, plus the bench URLconf.

Only benchmark processes use this module (``DJANGO_SETTINGS_MODULE=bench.settings``), so the
bare baseline view never exists in the product. ``BENCH_CHANNEL_LAYER=pubsub`` swaps the Redis
channel layer for ``RedisPubSubChannelLayer`` to compare the two.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CACHES, CHANNEL_LAYERS, REDIS_URL

ROOT_URLCONF = "bench.urls"

# Every Redis key of a run under the run's own prefix, so concurrent runs never meet.
_PREFIX = f"bench-{os.environ.get('BENCH_RUN_ID', 'solo')}"
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = _PREFIX
    if os.environ.get("BENCH_CHANNEL_LAYER") == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL], "prefix": _PREFIX},
            }
        }
    else:
        CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _PREFIX
