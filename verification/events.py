"""Realtime events of the verification app, built here and sent after the transaction commits."""

from rest_framework.fields import DateTimeField

from config.realtime import send_user_event_on_commit

VERIFICATION_REVIEWED = "verification.reviewed"


def verification_reviewed_data(verification) -> dict:
    return {
        "verification_id": str(verification.verification_id),
        "status": verification.status,
        # Rendered like the REST responses render the same field.
        "verified_at": DateTimeField().to_representation(verification.verified_at),
        "admin_note": verification.admin_note,
    }


def send_verification_reviewed(verification) -> None:
    """Tells the verification's owner (only them) the decision on ``/ws/events/``."""
    send_user_event_on_commit(
        [verification.user.public_id], VERIFICATION_REVIEWED, verification_reviewed_data(verification)
    )
