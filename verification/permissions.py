from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Staff endpoints (``/api/v1/admin/...``): anonymous → 401, signed-in non-staff → 403 FORBIDDEN."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
