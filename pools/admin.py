"""Read-only browsing of pools and proposals for moderators.

Every change goes through the services (cancelling a pool releases its proposal and the other
pool), so the admin offers no add, change or delete.
"""

from django.contrib import admin

from pools.models import Pool, PoolMember, Proposal, ProposalSide


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PoolMemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PoolMember
    fields = ("position", "user", "is_active")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ProposalSideInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProposalSide
    fields = ("side", "pool", "response", "responded_at", "reason", "is_open")
    readonly_fields = fields
    extra = 0


@admin.register(Pool)
class PoolAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "creator", "gender", "member_count", "school_name", "department", "preferred_match_type",
        "matching_type", "status", "created_at", "expires_at",
    )
    list_filter = ("status", "gender", "member_count", "preferred_match_type", "matching_type")
    search_fields = ("id", "creator__username", "school_name", "department")
    list_select_related = ("creator",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = [PoolMemberInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "pool_a", "pool_b", "status", "created_at", "expires_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("id", "pool_a__id", "pool_b__id")
    list_select_related = ("pool_a", "pool_b")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = [ProposalSideInline]
