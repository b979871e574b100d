from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class GemWallet(models.Model):
    """A user's gem balance. Only ``gems.services`` writes it, always together with a ledger row
    in the same transaction, so the ledger sums to the balance; the check constraint keeps it
    from ever going below zero whatever the code above it does."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, primary_key=True, related_name="gem_wallet"
    )
    balance = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="gems_wallet_balance_not_negative")]

    def __str__(self) -> str:
        return f"wallet of user {self.user_id}: {self.balance}"


class GemReason(models.TextChoices):
    CHARGE = "charge", "charge"
    MATCH_FILTER = "match_filter", "match_filter"
    REFUND = "refund", "refund"
    ADMIN_ADJUST = "admin_adjust", "admin_adjust"


class GemTransaction(models.Model):
    """The append-only gem ledger: one row per balance change.

    ``reference`` is unique per reason: the provider transaction for a charge, the match for a
    filter charge, so replaying the same business event can never move the balance twice. On
    PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE of ledger rows.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gem_transactions")
    amount = models.IntegerField()
    reason = models.CharField(max_length=12, choices=GemReason.choices)
    reference = models.CharField(max_length=200)
    balance_after = models.IntegerField()
    # Who made an ``admin_adjust`` change, and why: the audit trail of manual gem changes.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reason", "reference"], name="gems_transaction_reference_unique_per_reason"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="gems_transaction_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="gems_transaction_balance_after_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["charge", "match_filter", "refund", "admin_adjust"]),
                name="gems_transaction_reason_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reason="admin_adjust") | Q(actor__isnull=False), name="gems_transaction_adjust_has_actor"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="gems_tx_user_created")]

    def __str__(self) -> str:
        return f"{self.reason} {self.amount:+d} for user {self.user_id}"


class GemProduct(models.Model):
    """A purchasable gem package. Payment providers report a ``product_id``; the gems it buys
    come from this table, which staff edit in the Django admin."""

    product_id = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    gems = models.PositiveIntegerField()
    price_krw = models.PositiveIntegerField(help_text="Shown to staff only; the store sets the real price.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["gems"]
        constraints = [models.CheckConstraint(condition=Q(gems__gte=1), name="gems_product_gems_positive")]

    def __str__(self) -> str:
        return f"{self.name} ({self.gems} gems)"
