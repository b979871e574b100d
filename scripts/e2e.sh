#!/usr/bin/env bash
# Real clients end to end, as CI runs it right after the unit suite (`make test` made .venv):
#
#   1. Browser tests (e2e/): Playwright drives Debian's Chromium (/usr/bin/chromium, installed here
#      when missing) against a live server; a real WebRTC call between two browser contexts, a group
#      chat, and a moderator in the Django admin. The server and the browser run inside a network
#      namespace that has only loopback, so WebRTC gathers 127.0.0.1 candidates only and nothing
#      leaves the machine. The server there is the embedded default (SQLite in a temporary VAR_DIR,
#      in-memory channel layer, one ASGI server process), started like `make run`.
#   2. API fuzzing (e2e/fuzz/): schemathesis against the live server's /api/schema/, every
#      operation, authenticated as a real user (staff for /api/v1/admin/), bounded in examples and
#      time. Against PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set (CI), in a database
#      of its own; else the embedded default.
#
# Screenshots, server logs and reports go to test-artifacts/. Any failure fails the script; the
# last line is a one-line summary. Knobs: E2E_FUZZ_MAX_EXAMPLES (per operation), E2E_FUZZ_SECONDS,
# E2E_FUZZ_SEED (replay a run), E2E_BROWSER_SECONDS, E2E_FUZZ_DATABASE_URL, E2E_FUZZ_REDIS_URL, E2E_SKIP_BROWSER, E2E_SKIP_FUZZ.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
ARTIFACTS=${E2E_ARTIFACTS:-$ROOT/test-artifacts}
FUZZ_MAX_EXAMPLES=${E2E_FUZZ_MAX_EXAMPLES:-80}
FUZZ_SECONDS=${E2E_FUZZ_SECONDS:-600}
BROWSER_SECONDS=${E2E_BROWSER_SECONDS:-480}
# The fuzzer hammers every endpoint: the per-user limits would turn most of it into 429s.
FUZZ_RATE_LIMITS="signup=100000/h,login_failure_username=100000/15m,login_failure_ip=100000/15m"
FUZZ_RATE_LIMITS+=",pool_create=100000/d,proposal_accept=100000/h,chat_message=100000/m,matching_read=100000/m"
FUZZ_RATE_LIMITS+=",gem_charge=100000/h,report_create=100000/d,verification_upload=100000/h"

say() { echo "e2e: $*"; }
die() { echo "e2e: FAILED: $*" >&2; exit 1; }

free_port() {
    "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Each stage's server signs with its own key. Not the generated development key: config/settings.py
# passes it as JWT_SIGNING_KEY's default, and django-environ reads a default that starts with "$"
# as a reference to another variable and recurses (1 fresh VAR_DIR in 50 would fail to start).
random_secret_key() {
    "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))'
}

# Starts the server as `make run` does (scripts/run.sh: migrate, collectstatic, Celery worker with
# beat, the ASGI server) in its own process group, and waits for /healthz. Needs VAR_DIR and PORT.
SERVER_PGID=""
start_server() {
    setsid ./scripts/run.sh >"$VAR_DIR/server.log" 2>&1 &
    SERVER_PGID=$!
    for _ in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$SERVER_PGID" 2>/dev/null; then break; fi
        sleep 1
    done
    tail -n 60 "$VAR_DIR/server.log" >&2
    die "the server on port $PORT did not come up"
}

stop_server() {
    if [ -n "$SERVER_PGID" ]; then
        kill -- -"$SERVER_PGID" 2>/dev/null || true
        wait "$SERVER_PGID" 2>/dev/null || true
        SERVER_PGID=""
    fi
}

# --- stage 1, inside the loopback-only network namespace --------------------------------------
browser_stage() {
    ip link set lo up
    unset DATABASE_URL REDIS_URL CELERY_BROKER_URL REQUIRE_SERVICES
    VAR_DIR=$(mktemp -d)
    PORT=$(free_port)
    DJANGO_SECRET_KEY=$(random_secret_key)
    export VAR_DIR PORT DJANGO_SECRET_KEY
    # A longer decision window than the default 10 s: two browsers share a 2-core CI machine.
    export MATCH_SHOW_TIME_SEC=30
    trap 'stop_server; cp "$VAR_DIR/server.log" "$ARTIFACTS/e2e-server.log" 2>/dev/null; rm -rf "$VAR_DIR"' EXIT
    start_server
    "$BIN/python" e2e/seed.py "$VAR_DIR/seed.json"
    E2E_BASE_URL="http://127.0.0.1:$PORT" E2E_SEED="$VAR_DIR/seed.json" E2E_ARTIFACTS="$ARTIFACTS/e2e" \
        timeout --kill-after=10 "$BROWSER_SECONDS" \
        "$BIN/python" -m pytest -c e2e/pytest.ini e2e -q --junitxml "$ARTIFACTS/e2e-junit.xml"
}

# --- stage 2 -----------------------------------------------------------------------------------------
fresh_fuzz_database() {
    "$BIN/python" - "$1" <<'PY'
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

url = urlsplit(sys.argv[1])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as connection:
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
PY
}

fuzz_stage() {
    VAR_DIR=$(mktemp -d)
    PORT=$(free_port)
    DJANGO_SECRET_KEY=$(random_secret_key)
    export VAR_DIR PORT DJANGO_SECRET_KEY
    export RATE_LIMITS_OVERRIDE=$FUZZ_RATE_LIMITS
    unset CELERY_BROKER_URL REQUIRE_SERVICES
    if [ -n "${E2E_FUZZ_DATABASE_URL:-}" ] || [ -n "${DATABASE_URL:-}" ]; then
        export DATABASE_URL=${E2E_FUZZ_DATABASE_URL:-${DATABASE_URL%/*}/e2e_fuzz}
        fresh_fuzz_database "$DATABASE_URL"
    else
        unset DATABASE_URL
    fi
    if [ -n "${E2E_FUZZ_REDIS_URL:-}" ] || [ -n "${REDIS_URL:-}" ]; then
        export REDIS_URL=${E2E_FUZZ_REDIS_URL:-${REDIS_URL%/*}/8}
        "$BIN/python" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()'
    else
        unset REDIS_URL
    fi
    say "fuzzing a server on $([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)" \
        "and $([ -n "${REDIS_URL:-}" ] && echo Redis || echo "in-memory cache and channel layer")"
    trap 'stop_server; cp "$VAR_DIR/server.log" "$ARTIFACTS/fuzz-server.log" 2>/dev/null; rm -rf "$VAR_DIR"' EXIT
    start_server
    "$BIN/python" e2e/seed.py "$VAR_DIR/seed.json"
    mkdir -p "$ARTIFACTS/fuzz"
    E2E_BASE_URL="http://127.0.0.1:$PORT" E2E_SEED="$VAR_DIR/seed.json" \
        PYTHONPATH="$ROOT/e2e/fuzz${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=hooks \
        timeout --kill-after=10 "$FUZZ_SECONDS" \
        "$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/schema/" \
        --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
        --max-examples "$FUZZ_MAX_EXAMPLES" --workers 2 --request-timeout 30 \
        --generation-database none --no-color ${E2E_FUZZ_SEED:+--seed "$E2E_FUZZ_SEED"} \
        --report junit --report-dir "$ARTIFACTS/fuzz" 2>&1 | tee "$ARTIFACTS/fuzz/schemathesis.log"
}

case "${1:-}" in
    --browser-stage) browser_stage; exit ;;
    --fuzz-stage) fuzz_stage; exit ;;
    "") ;;
    *) die "unknown argument $1" ;;
esac

# --- the whole run -----------------------------------------------------------------------------------
started=$SECONDS
[ -x "$BIN/python" ] || die ".venv is missing: run \`make test\` (or \`make install\`) first"
# schemathesis 4.3's hypothesis-jsonschema 0.23.1 uses many.more(), which hypothesis removed in 6.170.10.
"$BIN/python" - <<'PY' || die "hypothesis is too new for hypothesis-jsonschema: pin hypothesis==6.170.9 in requirements.txt"
from hypothesis.internal.conjecture.utils import many
raise SystemExit(0 if hasattr(many, "more") else 1)
PY

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/nanum ]; then
    say "installing Debian's Chromium (and a Korean font for legible screenshots)"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null || die "/usr/bin/chromium does not start"

rm -rf "$ARTIFACTS/e2e" "$ARTIFACTS/fuzz"
mkdir -p "$ARTIFACTS"
browser="skipped"
fuzz="skipped"
failed=0

if [ -z "${E2E_SKIP_BROWSER:-}" ]; then
    say "browser tests (network namespace with loopback only)"
    # As root, a new network namespace; otherwise a user namespace that maps us to root in it.
    if [ "$(id -u)" = 0 ]; then netns=(unshare --net); else netns=(unshare --map-root-user --net); fi
    browser_started=$SECONDS
    if "${netns[@]}" -- "$0" --browser-stage; then
        browser="passed in $((SECONDS - browser_started))s"
    else
        browser="FAILED after $((SECONDS - browser_started))s"
        failed=1
    fi
fi

if [ -z "${E2E_SKIP_FUZZ:-}" ]; then
    say "API fuzzing"
    fuzz_started=$SECONDS
    if "$0" --fuzz-stage; then
        fuzz="passed in $((SECONDS - fuzz_started))s"
    else
        fuzz="FAILED after $((SECONDS - fuzz_started))s"
        failed=1
    fi
fi

summary="browser tests $browser; API fuzzing $fuzz; total $((SECONDS - started))s; artifacts in $ARTIFACTS"
if [ "$failed" = 0 ]; then
    say "OK: $summary"
else
    echo "e2e: FAILED: $summary" >&2
    exit 1
fi
