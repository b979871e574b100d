from django.contrib import admin

from matching.models import Match, MatchBlock, MatchParticipant, MatchSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    """Matching state changes only through matching.services (locks, events, gems)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MatchParticipantInline(admin.TabularInline):
    model = MatchParticipant
    extra = 0
    can_delete = False
    fields = ("user", "is_open")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_a", "user_b", "status", "decision_a", "decision_b", "created_at", "matched_at")
    list_filter = ("status",)
    search_fields = ("=id", "user_a__username", "user_b__username")
    list_select_related = ("user_a", "user_b")
    date_hierarchy = "created_at"
    inlines = [MatchParticipantInline]


@admin.register(MatchSettings)
class MatchSettingsAdmin(ReadOnlyAdmin):
    list_display = ("user", "preferred_gender", "age_min", "age_max", "radius_km", "updated_at")
    list_filter = ("preferred_gender",)
    search_fields = ("user__username",)
    list_select_related = ("user",)


@admin.register(MatchBlock)
class MatchBlockAdmin(ReadOnlyAdmin):
    list_display = ("user_low", "user_high", "created_by", "created_at")
    search_fields = ("user_low__username", "user_high__username")
    list_select_related = ("user_low", "user_high", "created_by")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Lifting a block is a staff decision; it only makes the pair eligible again.
        return request.user.has_perm("matching.delete_matchblock")
