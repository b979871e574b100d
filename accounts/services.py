"""Account use cases: signup, login, token refresh and logout, profile changes, sanctions."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.errors import ImageTooLarge, InvalidImage, UsernameTaken
from accounts.selectors import account_sanction_error
from config.errors import InvalidCredentials, RateLimitExceeded, TokenInvalid
from config.images import ImageRejection, sanitize_image
from config.realtime import close_user_sockets_on_commit
from config.throttling import rate_limit_hit, rate_limit_peek

User = get_user_model()


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _clean_profile_image(upload):
    try:
        return sanitize_image(
            upload, max_bytes=settings.PROFILE_IMAGE_MAX_BYTES, max_side=settings.PROFILE_IMAGE_MAX_SIDE
        )
    except ImageRejection as rejection:
        if rejection.reason == "too_large":
            raise ImageTooLarge(details={"profile_image": [_("The image must be 5 MB or smaller.")]}) from None
        raise InvalidImage(details={"profile_image": [rejection.reason]}) from None


def _username_taken(username: str, *, exclude_pk=None) -> bool:
    queryset = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def user_signup(*, username: str, password: str, age: int, gender: str, profile_image) -> User:
    """Creates an account. Raises UsernameTaken (also for a name differing only in case), InvalidImage."""
    image = _clean_profile_image(profile_image)
    if _username_taken(username):
        raise UsernameTaken()
    user = User(username=username, age=age, gender=gender)
    user.set_password(password)
    try:
        # The case-insensitive unique constraint settles two signups racing for one name.
        with transaction.atomic():
            user.profile_image.save(image.name, image, save=False)
            user.save()
    except IntegrityError:
        user.profile_image.delete(save=False)
        raise UsernameTaken() from None
    return user


def _tokens_for(user) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def login_rate_limit_scopes(*, username: str, ip: str) -> list[tuple[str, str]]:
    return [("login_failure_username", username.lower()), ("login_failure_ip", ip)]


def auth_login(*, username: str, password: str, ip: str) -> TokenPair:
    """Issues a token pair. Only failures count against the per-username and per-IP limits.

    Raises RateLimitExceeded, InvalidCredentials, AccountSuspended, AccountBanned.
    """
    scopes = login_rate_limit_scopes(username=username, ip=ip)
    for scope, ident in scopes:
        state = rate_limit_peek(scope, ident)
        if not state.allowed:
            raise RateLimitExceeded(retry_after=state.retry_after)
    # Usernames are unique regardless of case, so they log in regardless of case too.
    stored_username = User.objects.filter(username__iexact=username).values_list("username", flat=True).first()
    user = authenticate(username=stored_username or username, password=password)
    if user is None:
        for scope, ident in scopes:
            rate_limit_hit(scope, ident)
        raise InvalidCredentials()
    error = account_sanction_error(user)
    if error is not None:
        raise error
    return _tokens_for(user)


def auth_refresh(*, refresh: str) -> TokenPair:
    """Rotates a refresh token: the old one is blacklisted, a new pair is returned.

    Two refreshes racing with one token cannot both succeed: the blacklist row is unique per
    token, so the loser's insert fails and it gets TokenInvalid.
    """
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    try:
        old = RefreshToken(refresh)
    except TokenError:
        raise TokenInvalid() from None
    user = User.objects.filter(public_id=old.get("user_id"), is_active=True).first()
    if user is None:
        raise TokenInvalid()
    error = account_sanction_error(user)
    if error is not None:
        raise error
    outstanding = OutstandingToken.objects.filter(jti=old["jti"]).first()
    if outstanding is None:
        raise TokenInvalid()
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        raise TokenInvalid() from None
    return _tokens_for(user)


def auth_logout(*, user, refresh: str) -> None:
    """Blacklists the caller's own refresh token. Raises TokenInvalid for anything else."""
    try:
        token = RefreshToken(refresh)
    except TokenError:
        raise TokenInvalid() from None
    if str(token.get("user_id")) != str(user.public_id):
        raise TokenInvalid()
    token.blacklist()


def user_blacklist_all_refresh_tokens(*, user) -> int:
    """Blacklists every outstanding refresh token of ``user`` (used by bans)."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(created)


def profile_update(*, user, username: str | None = None, profile_image=None) -> User:
    """Changes the username and/or photo. Raises UsernameTaken, InvalidImage."""
    fields = []
    new_image = _clean_profile_image(profile_image) if profile_image is not None else None
    if username is not None and username != user.username:
        if _username_taken(username, exclude_pk=user.pk):
            raise UsernameTaken()
        user.username = username
        fields.append("username")
    old_image_name = user.profile_image.name if new_image is not None else None
    if new_image is not None:
        user.profile_image.save(new_image.name, new_image, save=False)
        fields.append("profile_image")
    if fields:
        try:
            with transaction.atomic():
                user.save(update_fields=fields)
        except IntegrityError:
            raise UsernameTaken() from None
    if old_image_name:
        user.profile_image.storage.delete(old_image_name)
    return user


# --- Sanctions -----------------------------------------------------------------------------
# The account side of a sanction: the user row, refresh tokens and open sockets. Moderation
# (``moderation.services.user_sanction``) composes these with the other apps' effects (match
# queue, pools) and the audit trail; call that, not these, from anything a moderator does.


@transaction.atomic
def user_warn(*, user) -> int:
    """Adds one warning; concurrent warnings all count (one ``F()`` update). Returns the new count."""
    User.objects.filter(pk=user.pk).update(warning_count=F("warning_count") + 1)
    user.refresh_from_db(fields=["warning_count"])
    return user.warning_count


@transaction.atomic
def user_suspend(*, user, until: datetime) -> None:
    """Blocks the user until ``until``.

    From commit on, every request and socket connect is refused with ACCOUNT_SUSPENDED (the
    authentication re-reads the row), every refresh token is blacklisted and every open socket
    (events, chat, call) is closed with 4403.
    """
    User.objects.filter(pk=user.pk).update(suspended_until=until)
    user.suspended_until = until
    user_blacklist_all_refresh_tokens(user=user)
    close_user_sockets_on_commit(user.public_id)


@transaction.atomic
def user_ban(*, user) -> None:
    """Blocks the user for good (ACCOUNT_BANNED), with the same token and socket effects as a suspension."""
    User.objects.filter(pk=user.pk).update(is_banned=True)
    user.is_banned = True
    user_blacklist_all_refresh_tokens(user=user)
    close_user_sockets_on_commit(user.public_id)


@transaction.atomic
def user_unsuspend(*, user) -> bool:
    """Lifts a running suspension (not a ban). Returns whether there was one to lift.

    Refresh tokens blacklisted by the suspension stay blacklisted: the user signs in again.
    """
    lifted = User.objects.filter(pk=user.pk, suspended_until__gt=timezone.now()).update(suspended_until=None)
    user.suspended_until = None
    return bool(lifted)
