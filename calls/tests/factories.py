from datetime import timedelta

import factory
from django.utils import timezone

from calls.models import CallSession
from config.testing import UserFactory
from matching.models import Match, MatchParticipant


class MatchedMatchFactory(factory.django.DjangoModelFactory):
    """A match both users accepted (``matched``), as the matching app leaves it."""

    class Meta:
        model = Match
        skip_postgeneration_save = True

    user_a = factory.SubFactory(UserFactory)
    user_b = factory.SubFactory(UserFactory, gender="female")
    status = "matched"
    decision_a = "accept"
    decision_b = "accept"
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda match: match.created_at + timedelta(seconds=10))
    matched_at = factory.LazyAttribute(lambda match: match.created_at + timedelta(seconds=3))
    closed_at = factory.SelfAttribute("matched_at")

    @factory.post_generation
    def participants(match, create, extracted, **kwargs):
        if create:
            MatchParticipant.objects.bulk_create(
                [MatchParticipant(match=match, user=user, is_open=False) for user in (match.user_a, match.user_b)]
            )


class PendingMatchFactory(MatchedMatchFactory):
    status = "pending"
    decision_a = ""
    decision_b = ""
    matched_at = None
    closed_at = None

    @factory.post_generation
    def participants(match, create, extracted, **kwargs):
        if create:
            MatchParticipant.objects.bulk_create(
                [MatchParticipant(match=match, user=user, is_open=True) for user in (match.user_a, match.user_b)]
            )


class CallSessionFactory(factory.django.DjangoModelFactory):
    """An open call; ``caller`` is the match's ``user_a``."""

    class Meta:
        model = CallSession

    match = factory.SubFactory(MatchedMatchFactory)
    caller = factory.SelfAttribute("match.user_a")
    callee = factory.SelfAttribute("match.user_b")
    started_at = factory.LazyFunction(timezone.now)


def ended_call(**kwargs) -> CallSession:
    """A call that ended by the caller's hangup after 95 seconds."""
    started_at = kwargs.pop("started_at", timezone.now() - timedelta(minutes=5))
    call = CallSessionFactory(started_at=started_at, **kwargs)
    call.ended_at = started_at + timedelta(seconds=95)
    call.duration_seconds = 95
    call.end_reason = "hangup"
    call.ended_by = call.caller
    call.save()
    return call
