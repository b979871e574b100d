"""Reads of the gems app that other apps use."""

from django.db.models import QuerySet, Sum

from gems.models import GemTransaction, GemWallet


def gem_balance(*, user) -> int:
    """The user's current balance (0 for a user who never had gems)."""
    balance = GemWallet.objects.filter(user_id=user.pk).values_list("balance", flat=True).first()
    return balance or 0


def gem_wallets_with_at_least(*, amount: int) -> QuerySet[GemWallet]:
    """Wallets holding ``amount`` gems or more, for use as a subquery (``.filter(user_id=OuterRef(...))``)."""
    return GemWallet.objects.filter(balance__gte=amount)


def gem_ledger_sum(*, user) -> int:
    """The sum of the user's ledger rows; always equal to ``gem_balance`` (checked by the tests)."""
    return GemTransaction.objects.filter(user_id=user.pk).aggregate(total=Sum("amount"))["total"] or 0
