"""Schemathesis hooks for fuzzing the live server (loaded by scripts/e2e.sh with SCHEMATHESIS_HOOKS).

- Authentication: a Bearer token of a real, verified user for every operation, and of a staff
  account for ``/api/v1/admin/...``; logged in once, then kept fresh with the refresh endpoint
  (access tokens live 15 minutes; the fuzzing may rename the user, so it never logs in twice).
- Real ids: ``e2e/seed.py`` gave that user a room, a message, an attachment, pools, a proposal,
  a document, a matched random match with an open call, and left a pending verification and a
  report for the staff account. Half of the generated cases get those ids in place of random
  ones, so the fuzzing reaches past the 404s into the code that does the work.

The seed's JSON is read from ``E2E_SEED``; the server from ``E2E_BASE_URL``.
"""

import copy
import json
import os
import threading
import time
from pathlib import Path

import httpx
import schemathesis
from hypothesis import strategies as st

SEED = json.loads(Path(os.environ["E2E_SEED"]).read_text())
BASE_URL = os.environ["E2E_BASE_URL"].rstrip("/")
FUZZ = SEED["fuzz"]
ADMIN_PATHS = r"^/api/v1/admin/"
# Access tokens live 15 minutes: refresh well before.
REFRESH_SECONDS = 600


class _TokenPair:
    """Logs in once, then rotates the pair through ``POST /api/auth/refresh/``.

    The workers share one provider: a lock makes them share one refresh too (a refresh token
    works once; the second worker would present a blacklisted one).
    """

    username: str

    def __init__(self):
        self.lock = threading.Lock()
        self.access = None
        self.refresh_token = None
        self.obtained_at = 0.0

    def get(self, case, context):
        with self.lock:
            if self.access is not None and time.monotonic() - self.obtained_at < REFRESH_SECONDS / 2:
                return self.access
            with httpx.Client(base_url=BASE_URL, timeout=30) as client:
                if self.refresh_token is None:
                    response = client.post(
                        "/api/auth/login/", json={"username": self.username, "password": SEED["password"]}
                    )
                else:
                    response = client.post("/api/auth/refresh/", json={"refresh": self.refresh_token})
            response.raise_for_status()
            tokens = response.json()
            self.access, self.refresh_token = tokens["access"], tokens["refresh"]
            self.obtained_at = time.monotonic()
            return self.access

    def set(self, case, access, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {access}"}


@schemathesis.auth(refresh_interval=REFRESH_SECONDS).skip_for(path_regex=ADMIN_PATHS)
class UserAuth(_TokenPair):
    username = FUZZ["username"]


@schemathesis.auth(refresh_interval=REFRESH_SECONDS).apply_to(path_regex=ADMIN_PATHS)
class StaffAuth(_TokenPair):
    username = SEED["staff"]


# --- the schema -------------------------------------------------------------------------------
def _inline_refs(node, schemas: dict, seen: tuple = ()):
    if isinstance(node, list):
        return [_inline_refs(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name in seen:  # a recursive schema stays a reference
            return node
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return {**_inline_refs(copy.deepcopy(schemas[name]), schemas, (*seen, name)), **siblings}
    return {key: _inline_refs(value, schemas, seen) for key, value in node.items()}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    # Component references are inlined: schemathesis 4.3's negative mutations of a bundled $ref
    # crash it ("PointerToNowhere: '/x-bundled/schema3'", fixed upstream in schemathesis PR 4077).
    # The schema means the same; only the reuse of components is gone.
    schemas = raw_schema.get("components", {}).get("schemas", {})
    raw_schema["paths"] = _inline_refs(raw_schema["paths"], schemas)


# --- real ids -------------------------------------------------------------------------------
PATH_IDS = {
    "room_id": FUZZ["room_id"],
    "attachment_id": FUZZ["attachment_id"],
    "pool_id": FUZZ["pool_id"],
    "proposal_id": FUZZ["proposal_id"],
    "document_id": FUZZ["document_id"],
    "verification_id": FUZZ["verification_id"],
    "report_id": FUZZ["report_id"],
}
BODY_IDS = {
    "match_id": FUZZ["match_id"],
    "call_id": FUZZ["call_id"],
    "call_session_id": FUZZ["call_session_id"],
    "reported_user_id": FUZZ["partner_user_id"],
    "message_id": FUZZ["message_id"],
    "last_read_message_id": FUZZ["message_id"],
    "attachments": [FUZZ["attachment_id"]],
    "documents": [FUZZ["document_url"]],
    "member_ids": [FUZZ["partner_user_id"]],
}
# Leaving is for good: with the real room, the rest of the run would only see 404s.
KEEP_RANDOM = {("POST", "/api/v1/matching/chats/{room_id}/leave")}


def _operation(context):
    operation = context.operation
    return (operation.method.upper(), operation.path) if operation is not None else None


@schemathesis.hook
def flatmap_path_parameters(context, parameters):
    if not isinstance(parameters, dict) or _operation(context) in KEEP_RANDOM:
        return st.just(parameters)
    real = {name: PATH_IDS[name] for name in parameters if name in PATH_IDS}
    if not real:
        return st.just(parameters)
    return st.sampled_from([parameters, {**parameters, **real}])


@schemathesis.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    real = {name: BODY_IDS[name] for name in body if name in BODY_IDS}
    if not real:
        return st.just(body)
    return st.sampled_from([body, {**body, **real}])


# --- headers HTTP itself forbids ----------------------------------------------------------------
def _valid_field_value(value) -> bool:
    """RFC 9110 field values: visible characters, spaces and tabs; no other control characters."""
    return not isinstance(value, str) or all(ch == "\t" or (" " <= ch != "\x7f") for ch in value)


def _valid_fields(fields) -> bool:
    fields = getattr(fields, "value", fields)  # negative generation wraps them in a GeneratedValue
    return not isinstance(fields, dict) or all(_valid_field_value(value) for value in fields.values())


# A header (or cookie) value with control characters is not HTTP: the ASGI server's HTTP parser, like any proxy
# in front of it, answers a bare 400 before the request reaches Django, so such cases would test
# the HTTP library, not this API.
@schemathesis.hook
def filter_headers(context, headers):
    return _valid_fields(headers)


@schemathesis.hook
def filter_cookies(context, cookies):
    return _valid_fields(cookies)
