"""Gem use cases. Every balance change goes through ``_apply``: the wallet row is locked, the
balance moves in one statement and a ledger row records it in the same transaction, so the
ledger always sums to the balance; ``gems_wallet_balance_not_negative`` backs the Python check.
"""

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from config.errors import Forbidden
from gems.errors import InsufficientGems, InvalidPaymentToken
from gems.models import GemProduct, GemReason, GemTransaction, GemWallet
from gems.providers import payment_provider_for

# Reasons the generic debit/credit accept; ``admin_adjust`` needs an actor (gem_admin_adjust).
_OPEN_REASONS = {GemReason.CHARGE, GemReason.MATCH_FILTER, GemReason.REFUND}


@dataclass(frozen=True)
class ChargeResult:
    gems_added: int
    new_balance: int


def _lock_wallet(user_id: int) -> GemWallet:
    """Creates the wallet if missing and locks it (FOR NO KEY UPDATE) until the transaction ends."""
    GemWallet.objects.bulk_create([GemWallet(user_id=user_id)], ignore_conflicts=True)
    return GemWallet.objects.select_for_update(no_key=True).get(user_id=user_id)


def _apply(
    *, user, amount: int, reason: str, reference: str, actor=None, note: str = "", wallet: GemWallet | None = None
) -> int:
    """Moves the balance by ``amount`` and appends the ledger row. Needs an open transaction;
    pass ``wallet`` when the caller already holds its lock.

    A (reason, reference) this user already has is not applied again: the current balance is
    returned. Raises InsufficientGems when the balance would go below zero.
    """
    wallet = wallet or _lock_wallet(user.pk)
    if GemTransaction.objects.filter(reason=reason, reference=reference, user_id=user.pk).exists():
        return wallet.balance
    new_balance = wallet.balance + amount
    if new_balance < 0:
        raise InsufficientGems(details={"required": -amount, "balance": wallet.balance})
    GemWallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + amount, updated_at=timezone.now())
    GemTransaction.objects.create(
        user_id=user.pk,
        amount=amount,
        reason=reason,
        reference=reference,
        balance_after=new_balance,
        actor=actor,
        note=note,
    )
    return new_balance


def _check(amount: int, reason: str) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValueError(f"amount must be a positive int, got {amount!r}")
    if reason not in _OPEN_REASONS:
        raise ValueError(f"reason must be one of {sorted(_OPEN_REASONS)}, got {reason!r}")


@transaction.atomic
def gem_wallet_debit(*, user, amount: int, reason: str, reference: str) -> int:
    """Takes ``amount`` (> 0) gems and returns the new balance; idempotent per (reason, reference).

    Locks the user's wallet row. Raises InsufficientGems (nothing changed) when the balance is
    below ``amount``.
    """
    _check(amount, reason)
    return _apply(user=user, amount=-amount, reason=reason, reference=reference)


@transaction.atomic
def gem_wallet_credit(*, user, amount: int, reason: str, reference: str) -> int:
    """Adds ``amount`` (> 0) gems and returns the new balance; idempotent per (reason, reference)."""
    _check(amount, reason)
    return _apply(user=user, amount=amount, reason=reason, reference=reference)


@transaction.atomic
def gem_admin_adjust(*, user, amount: int, actor, note: str) -> int:
    """A staff correction (positive or negative) recorded as an ``admin_adjust`` ledger row
    naming the staff ``actor`` and the ``note``. Returns the new balance.

    Raises Forbidden when ``actor`` is not staff, InsufficientGems when it would go below zero.
    """
    if not getattr(actor, "is_staff", False):
        raise Forbidden()
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValueError(f"amount must be a non-zero int, got {amount!r}")
    return _apply(
        user=user,
        amount=amount,
        reason=GemReason.ADMIN_ADJUST,
        reference=f"admin:{uuid.uuid4()}",
        actor=actor,
        note=note[:500],
    )


def _replay_of(reference: str, user, wallet: GemWallet) -> ChargeResult | None:
    """The result of a charge already credited for this provider transaction, if any."""
    earlier = GemTransaction.objects.filter(reason=GemReason.CHARGE, reference=reference).first()
    if earlier is None:
        return None
    if earlier.user_id != user.pk:
        # Someone else's purchase: a token is credited once, to the account that redeemed it.
        raise InvalidPaymentToken(details={"payment_token": [gettext("This payment was credited to another account.")]})
    return ChargeResult(gems_added=earlier.amount, new_balance=wallet.balance)


def gem_charge(*, user, payment_token: str) -> ChargeResult:
    """Redeems a payment token and credits its product's gems once per provider transaction.

    The provider is asked first, outside any transaction (it may be a network call). Replaying
    a credited token returns the original ``gems_added`` and the current balance. Concurrent
    replays serialize on the wallet lock; the unique (reason, reference) settles the rest.
    Raises InvalidPaymentToken (unknown token, unknown or inactive product, someone else's
    payment) and PaymentProviderUnavailable (nothing credited).
    """
    provider = payment_provider_for(payment_token)
    payment = provider.redeem(payment_token)
    reference = f"{provider.name}:{payment.transaction_id}"
    for _attempt in range(2):
        try:
            with transaction.atomic():
                wallet = _lock_wallet(user.pk)
                replay = _replay_of(reference, user, wallet)
                if replay is not None:
                    return replay
                product = GemProduct.objects.filter(product_id=payment.product_id, is_active=True).first()
                if product is None:
                    raise InvalidPaymentToken(details={"payment_token": [gettext("Unknown product.")]})
                new_balance = _apply(
                    user=user,
                    amount=product.gems,
                    reason=GemReason.CHARGE,
                    reference=reference,
                    note=f"product {product.product_id}",
                    wallet=wallet,
                )
                return ChargeResult(gems_added=product.gems, new_balance=new_balance)
        except IntegrityError:
            # Another account redeemed the same transaction at the same instant; the next
            # attempt finds its row and refuses the token.
            continue
    raise InvalidPaymentToken()
