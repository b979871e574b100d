import pytest

from calls.selectors import users_shared_call
from calls.tests.factories import CallSessionFactory, MatchedMatchFactory, ended_call
from config.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_users_shared_call_is_true_both_ways_for_open_and_ended_calls(django_assert_num_queries):
    open_call, finished = CallSessionFactory(), ended_call()

    with django_assert_num_queries(1):
        assert users_shared_call(user=open_call.caller, other=open_call.callee)
    assert users_shared_call(user=open_call.callee, other=open_call.caller)
    assert users_shared_call(user=finished.callee, other=finished.caller)


def test_users_shared_call_is_false_for_strangers_and_for_a_match_without_a_call():
    call = CallSessionFactory()
    match_only = MatchedMatchFactory()

    assert not users_shared_call(user=call.caller, other=UserFactory())
    assert not users_shared_call(user=call.caller, other=match_only.user_b)
    assert not users_shared_call(user=match_only.user_a, other=match_only.user_b)
