#!/usr/bin/env bash
# Migrates, then serves HTTP and WebSockets (uvicorn: see docs/benchmarks.md) with a Celery worker
# and beat beside it.
# With no REDIS_URL the broker is kombu's file-system transport: nothing else to install.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
VAR_DIR=${VAR_DIR:-var}
mkdir -p "$VAR_DIR"

$BIN/python manage.py migrate --noinput
$BIN/python manage.py collectstatic --noinput --verbosity 0

$BIN/celery -A config worker -B --pool=solo --loglevel=INFO \
    --schedule "$VAR_DIR/celerybeat-schedule" &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

echo "Serving on http://$HOST:$PORT/ (API docs: /api/docs/, admin: /admin/)"
# The access log goes through the token-redacting filter: uvicorn logs socket paths with ?token=.
$BIN/uvicorn config.asgi:application --host "$HOST" --port "$PORT" --lifespan off \
    --log-config scripts/uvicorn-logging.json
