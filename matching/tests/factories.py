"""Test set-up through the real services."""

import uuid

from gems.models import GemReason
from gems.services import gem_wallet_credit
from matching import services
from matching.models import Match


def set_conditions(user, *, gender: str = "all", ages: tuple[int, int] = (18, 100), radius: int | None = None):
    return services.match_settings_update(
        user=user, preferred_gender=gender, age_min=ages[0], age_max=ages[1], radius_km=radius
    )


def queue(user, *, lat: float | None = None, lng: float | None = None) -> Match | None:
    return services.match_request(user=user, lat=lat, lng=lng)


def pending_match(requester, waiting) -> Match:
    """``waiting`` queues first, then ``requester`` is paired with them."""
    assert queue(waiting) is None
    match = queue(requester)
    assert match is not None and {match.user_a_id, match.user_b_id} == {requester.pk, waiting.pk}
    return match


def give_gems(user, amount: int) -> int:
    return gem_wallet_credit(user=user, amount=amount, reason=GemReason.CHARGE, reference=f"test:{uuid.uuid4()}")
