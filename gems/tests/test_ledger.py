"""The ledger services other apps call, the database guarantees, and the admin adjustment."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from config.errors import Forbidden
from gems.errors import InsufficientGems
from gems.models import GemTransaction, GemWallet
from gems.selectors import gem_balance, gem_ledger_sum
from gems.services import gem_admin_adjust, gem_wallet_credit, gem_wallet_debit

pytestmark = pytest.mark.django_db


def ledger(user) -> list[tuple]:
    return list(
        GemTransaction.objects.filter(user=user)
        .order_by("id")
        .values_list("reason", "amount", "balance_after", "reference")
    )


def test_credit_and_debit_return_the_new_balance_and_write_the_ledger(user):
    assert gem_wallet_credit(user=user, amount=20, reason="charge", reference="p-1") == 20
    assert gem_wallet_debit(user=user, amount=5, reason="match_filter", reference="match:1") == 15
    assert gem_wallet_credit(user=user, amount=5, reason="refund", reference="match:1") == 20
    assert gem_balance(user=user) == 20 == gem_ledger_sum(user=user)
    assert ledger(user) == [
        ("charge", 20, 20, "p-1"),
        ("match_filter", -5, 15, "match:1"),
        ("refund", 5, 20, "match:1"),
    ]


def test_the_same_reference_is_applied_once(user):
    gem_wallet_credit(user=user, amount=20, reason="charge", reference="p-1")
    assert gem_wallet_debit(user=user, amount=5, reason="match_filter", reference="m-1") == 15
    assert gem_wallet_debit(user=user, amount=5, reason="match_filter", reference="m-1") == 15
    assert gem_wallet_credit(user=user, amount=20, reason="charge", reference="p-1") == 15
    assert len(ledger(user)) == 2


def test_a_debit_beyond_the_balance_is_refused_and_nothing_changes(user):
    gem_wallet_credit(user=user, amount=4, reason="charge", reference="p-1")
    with pytest.raises(InsufficientGems) as raised:
        gem_wallet_debit(user=user, amount=5, reason="match_filter", reference="m-1")
    assert raised.value.details == {"required": 5, "balance": 4}
    assert gem_balance(user=user) == 4 and len(ledger(user)) == 1


def test_a_debit_without_a_wallet_is_refused(user):
    with pytest.raises(InsufficientGems):
        gem_wallet_debit(user=user, amount=1, reason="match_filter", reference="m-1")
    assert gem_balance(user=user) == 0 and ledger(user) == []


@pytest.mark.parametrize(
    ("amount", "reason"),
    [(0, "charge"), (-3, "charge"), (True, "charge"), (2.0, "charge"), (3, "admin_adjust"), (3, "gift")],
)
def test_programming_errors_are_refused(user, amount, reason):
    with pytest.raises(ValueError):
        gem_wallet_credit(user=user, amount=amount, reason=reason, reference="x")
    with pytest.raises(ValueError):
        gem_wallet_debit(user=user, amount=amount, reason=reason, reference="x")
    assert ledger(user) == []


def test_the_database_refuses_a_negative_balance(user):
    gem_wallet_credit(user=user, amount=3, reason="charge", reference="p-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        GemWallet.objects.filter(user=user).update(balance=F("balance") - 4)
    assert gem_balance(user=user) == 3


def test_the_database_refuses_a_duplicate_reference(user_factory):
    a, b = user_factory(), user_factory()
    gem_wallet_credit(user=a, amount=3, reason="charge", reference="dev:same")
    with pytest.raises(IntegrityError), transaction.atomic():
        gem_wallet_credit(user=b, amount=3, reason="charge", reference="dev:same")
    assert gem_balance(user=b) == 0


@pytest.mark.postgres
def test_the_ledger_is_append_only_in_postgresql(user):
    gem_wallet_credit(user=user, amount=3, reason="charge", reference="p-1")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        GemTransaction.objects.filter(user=user).update(amount=300)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        GemTransaction.objects.filter(user=user).delete()
    assert ledger(user) == [("charge", 3, 3, "p-1")]
    assert connection.vendor == "postgresql"


def test_admin_adjust_records_the_actor_and_the_note(user_factory):
    user, staff = user_factory(), user_factory(is_staff=True)
    assert gem_admin_adjust(user=user, amount=30, actor=staff, note="compensation for outage") == 30
    assert gem_admin_adjust(user=user, amount=-10, actor=staff, note="duplicate compensation") == 20
    rows = list(
        GemTransaction.objects.filter(user=user).order_by("id").values_list("reason", "amount", "actor", "note")
    )
    assert rows == [
        ("admin_adjust", 30, staff.pk, "compensation for outage"),
        ("admin_adjust", -10, staff.pk, "duplicate compensation"),
    ]
    assert gem_ledger_sum(user=user) == 20


def test_admin_adjust_needs_staff_and_cannot_go_below_zero(user_factory):
    user, member, staff = user_factory(), user_factory(), user_factory(is_staff=True)
    with pytest.raises(Forbidden):
        gem_admin_adjust(user=user, amount=10, actor=member, note="self-service")
    with pytest.raises(InsufficientGems):
        gem_admin_adjust(user=user, amount=-1, actor=staff, note="oops")
    with pytest.raises(ValueError):
        gem_admin_adjust(user=user, amount=0, actor=staff, note="nothing")
    assert ledger(user) == []


# --- Django admin -----------------------------------------------------------------------------------
@pytest.fixture
def admin_client_for(client, user_factory):
    staff = user_factory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client, staff


def test_admin_adjusts_through_the_ledger(admin_client_for, user):
    client, staff = admin_client_for
    response = client.post(
        "/admin/gems/gemwallet/add/", {"user": user.pk, "adjust_amount": 25, "adjust_note": "welcome bonus"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/admin/gems/gemwallet/{user.pk}/change/", {"adjust_amount": -5, "adjust_note": "correction"}
    )
    assert response.status_code == 302
    assert gem_balance(user=user) == 20
    assert list(GemTransaction.objects.filter(user=user).order_by("id").values_list("amount", "actor", "note")) == [
        (25, staff.pk, "welcome bonus"),
        (-5, staff.pk, "correction"),
    ]


def test_admin_refuses_an_adjustment_below_zero_or_without_a_reason(admin_client_for, user):
    client, staff = admin_client_for
    gem_admin_adjust(user=user, amount=3, actor=staff, note="start")
    response = client.post(f"/admin/gems/gemwallet/{user.pk}/change/", {"adjust_amount": -4, "adjust_note": "too much"})
    assert response.status_code == 200 and "cannot go below zero" in response.content.decode()
    response = client.post(f"/admin/gems/gemwallet/{user.pk}/change/", {"adjust_amount": 4, "adjust_note": ""})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    assert gem_balance(user=user) == 3


def test_the_ledger_is_read_only_in_the_admin(admin_client_for, user):
    client, staff = admin_client_for
    gem_admin_adjust(user=user, amount=3, actor=staff, note="start")
    row = GemTransaction.objects.get()
    assert client.get("/admin/gems/gemtransaction/").status_code == 200
    assert client.get("/admin/gems/gemtransaction/add/").status_code == 403
    assert client.post(f"/admin/gems/gemtransaction/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert GemTransaction.objects.count() == 1
