import uuid
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.selectors import account_sanction_error, user_by_public_id
from config.errors import TokenInvalid
from config.exceptions import SanctionedAccount


@lru_cache(maxsize=4096)
def _signed_access_token(raw_token: str) -> AccessToken:
    return AccessToken(raw_token)


def verified_access_token(raw_token: str | bytes) -> AccessToken:
    """The access token, signature checked once per process and token: an app sends the same
    token with every request for its 15 minutes, and decoding and verifying it each time was a
    tenth of an authenticated request's CPU. Expiry is checked on every use. Raises TokenError."""
    if isinstance(raw_token, bytes):
        raw_token = raw_token.decode("latin-1")
    token = _signed_access_token(raw_token)
    token.check_exp(current_time=aware_utcnow())
    return token


def _token_public_id(token) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(token[api_settings.USER_ID_CLAIM]))
    except (KeyError, ValueError):
        return None


class SanctionAwareJWTAuthentication(JWTAuthentication):
    """Bearer JWT whose user is re-read on every request, so a sanction bites at once."""

    def __init__(self):
        """simplejwt looks the user model up here on every request; ``get_user`` does not need it."""

    def get_validated_token(self, raw_token):
        try:
            return verified_access_token(raw_token)
        except TokenError:
            # simplejwt's own path, for its error details.
            return super().get_validated_token(raw_token)

    def get_user(self, validated_token):
        """simplejwt's ``get_user`` (same errors) over the precompiled lookup of ``user_by_public_id``."""
        public_id = _token_public_id(validated_token)
        if public_id is None:
            raise InvalidToken(_("Token contained no recognizable user identification"))
        user = user_by_public_id(public_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user

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
        token = verified_access_token(raw_token)
    except TokenError:
        raise TokenInvalid() from None
    public_id = _token_public_id(token)
    user = user_by_public_id(public_id) if public_id is not None else None
    if user is None or not user.is_active:
        raise TokenInvalid()
    error = account_sanction_error(user)
    if error is not None:
        raise error
    return user
