from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from gems import selectors as gem_selectors, services as gem_services
from gems.errors import InsufficientGems
from moderation import services as moderation_services
from moderation.admin_forms import GemAdjustForm, UserSanctionForm, render_action_form
from moderation.models import ModerationAction, ModerationActionType


class _ModerationHistoryInline(admin.TabularInline):
    """Read-only rows of the moderation audit trail about this user."""

    model = ModerationAction
    fk_name = "target_user"
    fields = ("created_at", "action", "actor", "report", "note", "suspended_until")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WarningHistoryInline(_ModerationHistoryInline):
    verbose_name = _("warning")
    verbose_name_plural = _("warning history")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(action=ModerationActionType.WARN).select_related("actor")


class SanctionHistoryInline(_ModerationHistoryInline):
    verbose_name = _("sanction")
    verbose_name_plural = _("suspensions and bans")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                action__in=[ModerationActionType.SUSPEND, ModerationActionType.BAN, ModerationActionType.UNSUSPEND]
            )
            .select_related("actor")
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users as moderators see them: read-only profile, sanction and gem tools that call the services."""

    change_form_template = "admin/moderation/change_form_with_tools.html"
    list_display = ("username", "public_id", "age", "gender", "is_staff", "warning_count", "suspended_until", "is_banned")
    list_filter = ("gender", "is_staff", "is_banned")
    search_fields = ("username", "public_id")
    readonly_fields = (
        "public_id",
        "warning_count",
        "suspended_until",
        "is_banned",
        "gem_balance",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password", "public_id")}),
        ("Profile", {"fields": ("age", "gender", "profile_image")}),
        ("Sanctions", {"fields": ("warning_count", "suspended_until", "is_banned")}),
        ("Gems", {"fields": ("gem_balance",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    inlines = [WarningHistoryInline, SanctionHistoryInline]

    @admin.display(description=_("gem balance"))
    def gem_balance(self, user: User) -> int:
        return gem_selectors.gem_balance(user=user)

    def get_inline_instances(self, request, obj=None):
        # The add page has no history to show.
        return super().get_inline_instances(request, obj) if obj is not None else []

    # --- moderator tools ---------------------------------------------------------------------
    @staticmethod
    def _can_sanction(request) -> bool:
        return request.user.has_perm("moderation.sanction_user")

    @staticmethod
    def _can_adjust_gems(request) -> bool:
        return request.user.has_perm("moderation.adjust_gems")

    def get_urls(self):
        return [
            path(
                "<int:user_pk>/sanction/",
                self.admin_site.admin_view(self.sanction_view),
                name="accounts_user_sanction",
            ),
            path("<int:user_pk>/gems/", self.admin_site.admin_view(self.gem_adjust_view), name="accounts_user_gems"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        tools = []
        if object_id and str(object_id).isdigit():
            if self._can_sanction(request):
                tools.append((reverse("admin:accounts_user_sanction", args=[object_id]), _("Warn / suspend / ban")))
            if self._can_adjust_gems(request):
                tools.append((reverse("admin:accounts_user_gems", args=[object_id]), _("Adjust gems")))
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "moderation_tools": tools})

    def _done(self, user: User) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))

    def sanction_view(self, request, user_pk: int):
        if not self._can_sanction(request):
            raise PermissionDenied
        user = get_object_or_404(User, pk=user_pk)
        form = UserSanctionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            action = form.cleaned_data["action"]
            moderation_services.user_sanction(actor=request.user, user=user, **form.cleaned_data)
            self.message_user(
                request,
                _("%(action)s applied to %(user)s.") % {"action": ModerationActionType(action).label, "user": user},
                messages.SUCCESS,
            )
            return self._done(user)
        return render_action_form(
            self,
            request,
            obj=user,
            form=form,
            title=_("Warn, suspend or ban"),
            summary=[
                (_("Warnings"), user.warning_count),
                (_("Suspended until"), user.suspended_until or "-"),
                (_("Banned"), _("yes") if user.is_banned else _("no")),
            ],
            submit_label=_("Apply"),
        )

    def gem_adjust_view(self, request, user_pk: int):
        if not self._can_adjust_gems(request):
            raise PermissionDenied
        user = get_object_or_404(User, pk=user_pk)
        form = GemAdjustForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                balance = gem_services.gem_admin_adjust(
                    user=user, amount=form.cleaned_data["amount"], actor=request.user, note=form.cleaned_data["note"]
                )
            except InsufficientGems:
                form.add_error("amount", _("The balance cannot go below zero."))
            else:
                self.message_user(
                    request, _("New gem balance of %(user)s: %(balance)d.") % {"user": user, "balance": balance}
                )
                return self._done(user)
        return render_action_form(
            self,
            request,
            obj=user,
            form=form,
            title=_("Adjust gems"),
            summary=[(_("Gem balance"), gem_selectors.gem_balance(user=user))],
            submit_label=_("Adjust"),
        )
