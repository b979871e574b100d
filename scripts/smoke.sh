#!/usr/bin/env bash
# Starts the embedded default server as a new user would (`make run`, no PostgreSQL/Redis)
# and drives signup → login → profile → /ws/events/ over real HTTP and WebSocket.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${SMOKE_PORT:-8765}
VAR_DIR=$(mktemp -d)
export VAR_DIR
log="$VAR_DIR/server.log"

env -u DATABASE_URL -u REDIS_URL -u REQUIRE_SERVICES setsid make run PORT="$PORT" >"$log" 2>&1 &
server=$!
cleanup() { kill -- -"$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$VAR_DIR"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    sleep 1
done
if ! curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null; then
    echo "smoke: server did not come up"; cat "$log"; exit 1
fi
if ! .venv/bin/python scripts/smoke.py "http://127.0.0.1:$PORT"; then
    echo "smoke: failed; server log:"; tail -n 80 "$log"; exit 1
fi
