from django.contrib import admin

from ratings.models import Rating, RatingSummary


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ratings and their summaries move together in ``ratings.services``; editing one here would
    make the summary disagree with the ratings, so both are read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("id", "call", "rater", "rated", "score", "created_at")
    list_filter = ("score",)
    search_fields = ("rater__username", "rated__username", "comment")
    list_select_related = ("call", "rater", "rated")
    ordering = ("-created_at",)


@admin.register(RatingSummary)
class RatingSummaryAdmin(ReadOnlyAdmin):
    list_display = ("user", "rating_count", "rating_sum", "updated_at")
    search_fields = ("user__username",)
    list_select_related = ("user",)
