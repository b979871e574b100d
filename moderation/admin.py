"""The Django admin for moderators: the report queue and the audit trail.

Nothing here writes a model directly: resolving goes through ``moderation.services``; reports
and audit rows are read-only to everyone (superusers included) and never deleted.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from moderation import services
from moderation.admin_forms import ReportResolveForm, render_action_form
from moderation.errors import AlreadyResolved
from moderation.models import ModerationAction, Report, ReportStatus, ResolveAction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    change_form_template = "admin/moderation/change_form_with_tools.html"
    list_display = ("created_at", "report_type", "reason", "reporter", "reported_user", "status", "action_taken")
    list_filter = ("status", "report_type", "action_taken")
    search_fields = ("reporter__username", "reported_user__username", "reason", "id")
    list_select_related = ("reporter", "reported_user")
    ordering = ("created_at", "id")
    fields = (
        "id",
        "report_type",
        "reporter",
        "reported_user",
        "reason",
        "details",
        "evidence_view",
        "status",
        "action_taken",
        "resolution_note",
        "resolved_by",
        "resolved_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["resolve_dismiss", "resolve_warn", "resolve_suspend", "resolve_ban"]

    @admin.display(description=_("Evidence"))
    def evidence_view(self, report: Report):
        evidence = report.evidence
        if not evidence:
            return "-"
        return format_html(
            "<blockquote style='white-space: pre-wrap'>{}</blockquote>"
            "<div>{}: {} · {}: {} · {}: {}</div>",
            evidence.get("content", ""),
            _("type"),
            evidence.get("message_type", ""),
            _("sent"),
            evidence.get("created_at", ""),
            _("room"),
            evidence.get("room_id", ""),
        )

    def has_resolve_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.resolve_report")

    # --- resolving one report with a note --------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<uuid:report_id>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="moderation_report_resolve",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        tools = []
        if report is not None and report.status == ReportStatus.PENDING and self.has_resolve_permission(request):
            tools.append((reverse("admin:moderation_report_resolve", args=[report.pk]), _("Resolve")))
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "moderation_tools": tools})

    def resolve_view(self, request, report_id):
        if not self.has_resolve_permission(request):
            raise PermissionDenied
        report = get_object_or_404(Report.objects.select_related("reporter", "reported_user"), pk=report_id)
        form = ReportResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.report_resolve(actor=request.user, report_id=report.pk, **form.cleaned_data)
            except AlreadyResolved as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Report resolved: %(action)s.") % {"action": ResolveAction(form.cleaned_data["action"]).label},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(reverse("admin:moderation_report_changelist"))
        return render_action_form(
            self,
            request,
            obj=report,
            form=form,
            title=_("Resolve report"),
            summary=[
                (_("Reporter"), report.reporter),
                (_("Reported user"), report.reported_user),
                (_("Reason"), report.reason),
                (_("Details"), report.details or "-"),
                (_("Evidence"), self.evidence_view(report)),
                (_("Status"), report.get_status_display()),
            ],
            submit_label=_("Resolve"),
        )

    # --- resolving several reports from the queue ------------------------------------------
    def _resolve_selected(self, request, queryset, action: str) -> None:
        resolved = skipped = 0
        for report_id in queryset.values_list("pk", flat=True):
            try:
                services.report_resolve(actor=request.user, report_id=report_id, action=action)
            except AlreadyResolved:
                skipped += 1
            else:
                resolved += 1
        self.message_user(
            request,
            _("%(resolved)d report(s) resolved, %(skipped)d already resolved.")
            % {"resolved": resolved, "skipped": skipped},
            messages.SUCCESS if resolved else messages.WARNING,
        )

    @admin.action(description=_("Dismiss the selected reports"), permissions=["resolve"])
    def resolve_dismiss(self, request, queryset):
        self._resolve_selected(request, queryset, ResolveAction.DISMISS)

    @admin.action(description=_("Warn the reported users"), permissions=["resolve"])
    def resolve_warn(self, request, queryset):
        self._resolve_selected(request, queryset, ResolveAction.WARN)

    @admin.action(description=_("Suspend the reported users"), permissions=["resolve"])
    def resolve_suspend(self, request, queryset):
        self._resolve_selected(request, queryset, ResolveAction.SUSPEND)

    @admin.action(description=_("Ban the reported users"), permissions=["resolve"])
    def resolve_ban(self, request, queryset):
        self._resolve_selected(request, queryset, ResolveAction.BAN)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "target_user", "actor", "report", "suspended_until")
    list_filter = ("action",)
    search_fields = ("target_user__username", "actor__username")
    list_select_related = ("target_user", "actor", "report")
    fields = ("created_at", "action", "target_user", "actor", "report", "note", "suspended_until")
    readonly_fields = fields
