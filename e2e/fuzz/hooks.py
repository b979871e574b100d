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

import json
import os
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
    """Logs in once, then rotates the pair through ``POST /api/auth/refresh/``."""

    username: str

    def __init__(self):
        self.refresh_token = None

    def get(self, case, context):
        with httpx.Client(base_url=BASE_URL, timeout=30) as client:
            if self.refresh_token is None:
                response = client.post(
                    "/api/auth/login/", json={"username": self.username, "password": SEED["password"]}
                )
            else:
                response = client.post("/api/auth/refresh/", json={"refresh": self.refresh_token})
        response.raise_for_status()
        tokens = response.json()
        self.refresh_token = tokens["refresh"]
        return tokens["access"]

    def set(self, case, access, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {access}"}


@schemathesis.auth(refresh_interval=REFRESH_SECONDS).skip_for(path_regex=ADMIN_PATHS)
class UserAuth(_TokenPair):
    username = FUZZ["username"]


@schemathesis.auth(refresh_interval=REFRESH_SECONDS).apply_to(path_regex=ADMIN_PATHS)
class StaffAuth(_TokenPair):
    username = SEED["staff"]


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
