from django.contrib.auth import get_user_model
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.selectors import account_sanction_error
from config.errors import TokenInvalid
from config.exceptions import SanctionedAccount


class SanctionAwareJWTAuthentication(JWTAuthentication):
    """Bearer JWT whose user is re-read on every request, so a sanction bites at once."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        error = account_sanction_error(user)
        if error is not None:
            raise SanctionedAccount(error)
        return user, token


def authenticate_access_token(raw_token: str):
    """The active, unsanctioned user an access token names. Raises TokenInvalid or a sanction error."""
    try:
        token = AccessToken(raw_token)
    except TokenError:
        raise TokenInvalid() from None
    user = get_user_model().objects.filter(public_id=token.get("user_id"), is_active=True).first()
    if user is None:
        raise TokenInvalid()
    error = account_sanction_error(user)
    if error is not None:
        raise error
    return user
