"""Payment races run for real: threads on PostgreSQL, released together by a barrier."""


import pytest

from config.testing import UserFactory, run_together
from gems.errors import InvalidPaymentToken
from gems.models import GemTransaction
from gems.selectors import gem_balance, gem_ledger_sum
from gems.services import ChargeResult, gem_charge
from gems.tests.factories import GemProductFactory, dev_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]



def test_the_same_token_sent_ten_times_at_once_credits_once():
    GemProductFactory(product_id="race_pack", gems=50)
    user = UserFactory()
    token = dev_token("race_pack")
    results, errors = run_together([lambda: gem_charge(user=user, payment_token=token) for _ in range(10)])
    assert errors == [None] * 10
    assert results == [ChargeResult(gems_added=50, new_balance=50)] * 10
    assert gem_balance(user=user) == 50 == gem_ledger_sum(user=user)
    assert GemTransaction.objects.filter(user=user).count() == 1


def test_one_token_raced_by_two_accounts_is_credited_to_one():
    GemProductFactory(product_id="race_pack", gems=50)
    users = [UserFactory() for _ in range(6)]
    token = dev_token("race_pack")
    results, errors = run_together([lambda user=user: gem_charge(user=user, payment_token=token) for user in users])
    winners = [user for user, result in zip(users, results) if result is not None]
    assert len(winners) == 1
    assert all(isinstance(error, InvalidPaymentToken) for user, error in zip(users, errors) if user not in winners)
    assert [gem_balance(user=user) for user in users] == [50 if user in winners else 0 for user in users]
    assert GemTransaction.objects.count() == 1
