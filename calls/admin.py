from django.contrib import admin

from calls.models import CallSession


@admin.register(CallSession)
class CallSessionAdmin(admin.ModelAdmin):
    """Read-only: calls are written by their participants' actions and the sweep only."""

    list_display = ("id", "session_id", "caller", "callee", "started_at", "ended_at", "duration_seconds", "end_reason")
    list_filter = ("end_reason",)
    search_fields = ("session_id", "caller__username", "callee__username")
    list_select_related = ("caller", "callee")
    date_hierarchy = "started_at"
    ordering = ("-started_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
