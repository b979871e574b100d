from django import forms
from django.contrib import admin

from gems.models import GemProduct, GemTransaction, GemWallet
from gems.services import gem_admin_adjust


@admin.register(GemProduct)
class GemProductAdmin(admin.ModelAdmin):
    list_display = ("product_id", "name", "gems", "price_krw", "is_active")
    list_editable = ("is_active",)
    search_fields = ("product_id", "name")


class GemWalletAdjustForm(forms.ModelForm):
    """The wallet itself is read-only; saving applies ``adjust_amount`` through the ledger."""

    adjust_amount = forms.IntegerField(
        required=False, help_text="Gems to add (positive) or take (negative). Recorded as admin_adjust."
    )
    adjust_note = forms.CharField(required=False, max_length=500, help_text="Why (kept in the ledger).")

    class Meta:
        model = GemWallet
        fields = ("user",)

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("adjust_amount") or 0
        if amount and not cleaned.get("adjust_note"):
            self.add_error("adjust_note", "Say why the balance changes.")
        balance = self.instance.balance if self.instance.pk else 0
        if balance + amount < 0:
            self.add_error("adjust_amount", f"The balance is {balance}; it cannot go below zero.")
        if not self.instance.pk and not amount:
            self.add_error("adjust_amount", "Enter the gems to add.")
        return cleaned


@admin.register(GemWallet)
class GemWalletAdmin(admin.ModelAdmin):
    form = GemWalletAdjustForm
    list_display = ("user", "balance", "updated_at")
    search_fields = ("user__username", "user__public_id")
    raw_id_fields = ("user",)
    readonly_fields = ("balance", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "user") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        amount = form.cleaned_data.get("adjust_amount") or 0
        if amount:
            gem_admin_adjust(user=obj.user, amount=amount, actor=request.user, note=form.cleaned_data["adjust_note"])
        obj.refresh_from_db()


@admin.register(GemTransaction)
class GemTransactionAdmin(admin.ModelAdmin):
    """The ledger, read-only: corrections are made from the wallet page as new rows."""

    list_display = ("created_at", "user", "reason", "amount", "balance_after", "reference", "actor")
    list_filter = ("reason",)
    search_fields = ("user__username", "reference", "note")
    list_select_related = ("user", "actor")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
