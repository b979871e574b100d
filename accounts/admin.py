from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "public_id", "age", "gender", "is_staff", "warning_count", "suspended_until", "is_banned")
    list_filter = ("gender", "is_staff", "is_banned")
    search_fields = ("username", "public_id")
    readonly_fields = ("public_id", "warning_count", "suspended_until", "is_banned", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password", "public_id")}),
        ("Profile", {"fields": ("age", "gender", "profile_image")}),
        ("Sanctions", {"fields": ("warning_count", "suspended_until", "is_banned")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
