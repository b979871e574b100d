"""Creates the accounts and data the browser tests and the API fuzzing need, through the services.

Run it against the live server's database (the same environment: ``VAR_DIR`` for the embedded
SQLite default, or ``DATABASE_URL``), after ``migrate``. It writes what it made as JSON:

    .venv/bin/python e2e/seed.py /tmp/seed.json

Nothing here is reachable over HTTP: the product has no test-only endpoints. Every write goes
through the same service functions the API calls (sign-up, verification upload/submit/review,
pools, pairing, proposal answers, chat, random matching, calls, reports); only the staff
accounts, which have no sign-up API, are created with the ORM like ``createsuperuser`` does.

What exists afterwards:

- ``e2e_moderator``: staff, not a superuser, in the ``moderators`` group (moderation's data migration).
- ``e2e_reviewer``: staff who approved the students' verifications (and the fuzzer's staff account).
- ``e2e_m1``, ``e2e_m2`` (male) and ``e2e_f1``, ``e2e_f2`` (female): verified students in two pools,
  proposed to each other and both accepted, so they share one blind chat room (A1, A2, B1, B2).
- ``e2e_m2`` reported ``e2e_f2`` (a pending user report), for the moderator to suspend.
- ``e2e_applicant``: a pending verification with one document (an image of a student card).
- ``e2e_m1`` and ``e2e_f1`` also have a matched random match with an open call, a message and an
  unsent image attachment in the room: real ids for the fuzzer to reach past the 404s.
"""

import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from accounts.services import user_signup  # noqa: E402
from calls.services import call_start  # noqa: E402
from chat.services import chat_attachment_upload, chat_message_send  # noqa: E402
from matching.services import match_decide, match_request  # noqa: E402
from moderation.services import report_create  # noqa: E402
from pools.selectors import proposals_for_user  # noqa: E402
from pools.services import pool_create, pool_pairing_run, proposal_accept  # noqa: E402
from verification.services import (  # noqa: E402
    DOCUMENT_URL_NAME,
    VerificationInput,
    documents_upload,
    verification_review,
    verification_submit,
)

PASSWORD = "E2e-Playground-Pass-42"
User = get_user_model()


def png(text: str, size=(480, 300), color=(40, 90, 200)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).text((24, 24), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{text[:12].replace(' ', '_')}.png", buffer.getvalue(), content_type="image/png")


def staff(username: str, *, group: str | None = None):
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def student(username: str, gender: str):
    return user_signup(
        username=username, password=PASSWORD, age=23, gender=gender, profile_image=png(username, (128, 128))
    )


def submit_verification(user, *, department: str, document_text: str):
    documents = documents_upload(owner=user, files=[png(document_text)])
    urls = [reverse(DOCUMENT_URL_NAME, kwargs={"document_id": document.pk}) for document in documents]
    claim = VerificationInput(
        school_name="한국대학교",
        department=department,
        major_category="engineering",
        grade="3",
        student_id=f"2022{user.pk:05d}",
        gender=user.gender,
    )
    return verification_submit(user=user, data=claim, document_urls=urls), documents


def pairing_proposals(user, timeout_s: float = 30) -> list[dict]:
    """Runs the pairing job until ``user``'s pool has its proposal.

    Creating a pool also enqueues a pairing run: the server's Celery worker may hold the pools'
    locks at that moment (the job skips locked pools), and then it is the worker that proposes.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        pool_pairing_run()
        proposals = proposals_for_user(user=user, status="pending")
        if proposals or time.monotonic() > deadline:
            return proposals
        time.sleep(0.5)


def main(output: Path) -> None:
    moderator = staff("e2e_moderator", group="moderators")
    reviewer = staff("e2e_reviewer")

    m1, m2 = student("e2e_m1", "male"), student("e2e_m2", "male")
    f1, f2 = student("e2e_f1", "female"), student("e2e_f2", "female")
    documents = {}
    for user in (m1, m2, f1, f2):
        verification, documents[user.username] = submit_verification(
            user, department="컴퓨터공학과", document_text=f"STUDENT CARD {user.username}"
        )
        verification_review(reviewer=reviewer, verification_id=verification.pk, approved=True, admin_note="")

    # Two pools, paired by the pairing job, accepted by both creators: one blind room.
    men = pool_create(
        creator=m1,
        member_ids=[m2.public_id],
        preferred_match_type="any",
        preferred_categories=[],
        matching_type="blind",
        message="안녕하세요, 저희는 둘이에요",
    )
    women = pool_create(
        creator=f1,
        member_ids=[f2.public_id],
        preferred_match_type="any",
        preferred_categories=[],
        matching_type="blind",
        message="반가워요!",
    )
    (proposal,) = pairing_proposals(m1)
    proposal_accept(user=m1, proposal_id=proposal["proposal_id"])
    outcome = proposal_accept(user=f1, proposal_id=proposal["proposal_id"])
    room_id = outcome.chat_room.room_id

    message = chat_message_send(user=m1, room_id=room_id, message_type="text", content="seeded hello")
    attachment = chat_attachment_upload(user=m1, room_id=room_id, upload=png("attachment"))

    report = report_create(
        reporter=m2, reported_user_id=f2.public_id, report_type="user", reason="e2e: rude in the room"
    )

    applicant = student("e2e_applicant", "female")
    pending, _ = submit_verification(applicant, department="경영학과", document_text="STUDENT CARD e2e_applicant")

    # A matched random match between m1 and f1 with an open call, for the fuzzer.
    match_request(user=m1)
    match = match_request(user=f1)
    match_decide(user=m1, match_id=match.pk, decision="accept")
    match_decide(user=f1, match_id=match.pk, decision="accept")
    call = call_start(user=m1, match_id=match.pk)

    seed = {
        "password": PASSWORD,
        "moderator": moderator.username,
        "staff": reviewer.username,
        "chat": {"room_id": str(room_id), "members": ["e2e_m1", "e2e_f1"]},
        "report": {"report_id": str(report.pk), "reporter": m2.username, "reported": f2.username},
        "applicant": {"username": applicant.username, "verification_id": str(pending.pk)},
        "fuzz": {
            "username": m1.username,
            "user_id": str(m1.public_id),
            "partner_user_id": str(f1.public_id),
            "room_id": str(room_id),
            "message_id": str(message["message_id"]),
            "attachment_id": str(attachment["attachment_id"]),
            "pool_id": str(men.pk),
            "other_pool_id": str(women.pk),
            "proposal_id": str(proposal["proposal_id"]),
            "document_id": str(documents[m1.username][0].pk),
            "document_url": reverse(DOCUMENT_URL_NAME, kwargs={"document_id": documents[m1.username][0].pk}),
            "verification_id": str(pending.pk),
            "report_id": str(report.pk),
            "match_id": match.pk,
            "call_id": call.call_id,
            "call_session_id": str(call.call_session_id),
        },
    }
    output.write_text(json.dumps(seed, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: seed.py OUTPUT.json")
    main(Path(sys.argv[1]))
