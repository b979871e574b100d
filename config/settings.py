"""One settings module, configured from the environment.

With no environment at all it runs the embedded default (SQLite, in-memory cache and
channel layer, a file-system Celery broker). ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis; ``APP_ENV=production`` demands real secrets and turns dev helpers off.
"""

import importlib
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

APP_ENV = env.str("APP_ENV", default="development")
IS_PRODUCTION = APP_ENV == "production"
DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """A per-checkout random key, so a laptop never runs on a key that sits in git."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
    return key_file.read_text().strip()


# Read raw: django-environ would take a value starting with "$" for a reference to another variable.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when APP_ENV=production")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOCAL_APPS = [
    "config",
    "accounts",
    "matching",
    "gems",
    "calls",
    "ratings",
    "verification",
    "pools",
    "chat",
    "moderation",
    "playground",
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "channels",
    *LOCAL_APPS,
]

MIDDLEWARE = [
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.throttling.RateLimitHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
# /api/v1 paths answer with and without the trailing slash; nothing is ever redirected.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded worker and the web process share the file; wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    # Off by default: Django's check is a SELECT 1 before the first query of every request and of
    # every socket database call, which on the socket path doubles the round trips (chat sockets
    # opened 92-122/s with it, 146-153/s without; docs/benchmarks.md). Without it, a connection
    # broken by a database restart fails one request or call per thread, then is replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=False)
    # Server-side binding, so that config.db.PreparedQuery (the hot reads, whose SQL repeats
    # exactly) can run as prepared statements: parsed and planned once per connection. Only those
    # are prepared: PostgreSQL's generic plan for the random-match candidate query made 10,000
    # waiting users 14x slower at p99. Off (DB_PREPARED_STATEMENTS=false) for a pooler in
    # transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
# Threads that run HTTP requests' sync code in an ASGI process (config.asgi.PinnedThreadsHTTP),
# each with its own persistent connection: the most connections one web process opens. More
# threads than this only fight over the GIL (docs/benchmarks.md); add processes instead.
HTTP_SYNC_THREADS = env.int("HTTP_SYNC_THREADS", default=4)
# PostgreSQL connections per event loop for the socket paths that query from the loop itself
# (config.asyncdb: a chat message sent over a socket), in addition to the ones above.
ASYNC_DB_CONNECTIONS = env.int("ASYNC_DB_CONNECTIONS", default=4)
# Garbage-collector thresholds of a web process (config/asgi.py, which also freezes what startup
# allocated). Python's default (700, 10, 10) runs full collections often; each walks every object
# of every open socket, stalling all of them (1.2 s with 8,000 sockets): here at most one per
# 1,000 middle ones. Young collections stay at Python's size: their pause grows with it, and every
# socket waits it out (a young generation of 5,000 paused 8,000 chat sockets for 20 ms, its middle
# one for 110-190 ms; docs/benchmarks.md). Cyclic garbage that lived long waits longer to be freed.
GC_THRESHOLDS = tuple(env.list("GC_THRESHOLDS", cast=int, default=[700, 10, 1000]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: cache, rate-limit counters, channel layer, Celery broker -------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mb",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "mb-asgi", "capacity": 1000, "expiry": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ----------------------------------------------------------------------------
CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for folder in ("queue", "processed"):
        (CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task lost with a dying worker would lose work; tasks are idempotent, so redelivery is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50
CELERY_TASK_TIME_LIMIT = 60
CELERY_TIMEZONE = "UTC"
# Each app declares its periodic jobs as BEAT_SCHEDULE in its schedules.py (plain data, task
# names as strings); every job is safe to run twice and concurrently.
CELERY_BEAT_SCHEDULE: dict = {}
for _app in LOCAL_APPS:
    try:
        CELERY_BEAT_SCHEDULE.update(importlib.import_module(f"{_app}.schedules").BEAT_SCHEDULE)
    except ModuleNotFoundError as _error:
        if _error.name != f"{_app}.schedules":
            raise

# --- Auth ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY", "") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "public_id",
    "USER_ID_CLAIM": "user_id",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.SanctionAwareJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.ApiJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.ScopedRateLimit"],
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

# Per-user (or per-IP when anonymous) limits, "<count>/<period>" with period s, m, h, d,
# optionally prefixed by a multiplier ("10/15m"). Views name a scope; see config/throttling.py.
RATE_LIMITS = {
    "pool_create": "3/d",
    "proposal_accept": "10/h",
    "chat_message": "60/m",
    "matching_read": "100/m",
    "login_failure_username": "10/15m",
    "login_failure_ip": "10/15m",
    "signup": "20/h",
    "gem_charge": "30/h",
    "report_create": "20/d",
    "verification_upload": "20/h",
}
RATE_LIMITS.update(env.dict("RATE_LIMITS_OVERRIDE", default={}))

SPECTACULAR_SETTINGS = {
    "TITLE": "Matching backend API",
    "DESCRIPTION": (
        "Random 1:1 calls under `/api/` (bare JSON bodies) and university group blind dates "
        "under `/api/v1/` (bodies wrapped in the `{success, data, message, timestamp}` envelope). "
        "Errors on both surfaces use the error envelope. Authenticate with "
        "`Authorization: Bearer <access>`; WebSockets take `?token=<access>` (see docs/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["config.schema.drop_slash_aliases"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.postprocess_envelopes",
    ],
    "ENUM_NAME_OVERRIDES": {},
}

# --- i18n, time ------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]

TIME_ZONE = "UTC"
DISPLAY_TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Documents that only their owner and staff may read; never below MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not IS_PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Multipart bodies above this are refused while streaming (413), before they are buffered.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=52 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
PROFILE_IMAGE_MAX_BYTES = 5 * 1024 * 1024
PROFILE_IMAGE_MAX_SIDE = 4096

# --- Product settings ------------------------------------------------------------------
MATCH_SHOW_TIME_SEC = env.int("MATCH_SHOW_TIME_SEC", default=10)
MATCH_FILTER_GEM_COST = env.int("MATCH_FILTER_GEM_COST", default=5)
MATCH_REPEAT_COOLDOWN = timedelta(hours=env.int("MATCH_REPEAT_COOLDOWN_HOURS", default=24))
SUSPENSION_DAYS = env.int("SUSPENSION_DAYS", default=7)
DEV_PAYMENT_PROVIDER_ENABLED = env.bool("DEV_PAYMENT_PROVIDER_ENABLED", default=not IS_PRODUCTION)

# Calls: STUN/TURN handed to clients; with a TURN secret, time-limited TURN REST credentials.
CALL_STUN_URLS = env.list("CALL_STUN_URLS", default=["stun:stun.l.google.com:19302"])
CALL_TURN_URLS = env.list("CALL_TURN_URLS", default=[])
CALL_TURN_SECRET = env.str("CALL_TURN_SECRET", default="")
CALL_TURN_USERNAME = env.str("CALL_TURN_USERNAME", default="")
CALL_TURN_PASSWORD = env.str("CALL_TURN_PASSWORD", default="")
CALL_TURN_CREDENTIAL_TTL_SECONDS = env.int("CALL_TURN_CREDENTIAL_TTL_SECONDS", default=24 * 3600)
CALL_MAX_DURATION_SECONDS = env.int("CALL_MAX_DURATION_SECONDS", default=2 * 3600)

# --- WebSockets ------------------------------------------------------------------------
WS_MAX_FRAME_BYTES = 64 * 1024
WS_IDLE_TIMEOUT_SECONDS = env.int("WS_IDLE_TIMEOUT_SECONDS", default=600)
WS_FRAMES_PER_10_SECONDS = env.int("WS_FRAMES_PER_10_SECONDS", default=100)

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "config.logging.RedactTokensFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
