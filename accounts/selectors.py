from config.errors import AccountBanned, AccountSuspended, ApiError
from config.responses import utc_timestamp


def account_sanction_error(user) -> ApiError | None:
    """The error a sanctioned user is refused with, or ``None`` when they may act."""
    if user.is_banned:
        return AccountBanned()
    if user.is_suspended:
        return AccountSuspended(details={"until": utc_timestamp(user.suspended_until)})
    return None


def profile_image_url(user, request=None) -> str | None:
    if not user.profile_image:
        return None
    url = user.profile_image.url
    return request.build_absolute_uri(url) if request is not None else url
