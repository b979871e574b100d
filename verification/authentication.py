from rest_framework.authentication import SessionAuthentication

from accounts.selectors import account_sanction_error


class StaffSessionAuthentication(SessionAuthentication):
    """The Django admin's session, accepted for staff only (reviewers opening documents in the admin).

    Everyone else authenticates with a Bearer token; a non-staff session counts as anonymous.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        if not user.is_staff or account_sanction_error(user) is not None:
            return None
        return result
