"""Error codes of pools and proposals (seed-group-matching §2, §3 and its error table)."""

from django.utils.translation import gettext_lazy as _

from config.errors import ApiError, Forbidden, NotFound, ValidationFailed


class InvalidMemberCount(ApiError):
    status_code = 400
    code = "INVALID_MEMBER_COUNT"
    default_message = _("Member count is limited to 2~8 people")


class UnverifiedMember(ApiError):
    status_code = 400
    code = "UNVERIFIED_MEMBER"
    default_message = _("Includes an unverified member")


class MixedGender(ApiError):
    status_code = 400
    code = "MIXED_GENDER"
    default_message = _("Every member must have the same gender as the pool creator.")


class AlreadyInPool(ApiError):
    status_code = 400
    code = "ALREADY_IN_POOL"
    default_message = _("Already registered in another pool")


class InvalidMessageLength(ApiError):
    status_code = 400
    code = "INVALID_MESSAGE_LENGTH"
    default_message = _("Message length exceeded")


class CategoriesRequired(ValidationFailed):
    default_message = _("Choose at least one preferred category for major_category matching.")


class PoolNotFound(NotFound):
    default_message = _("Pool not found")


class NoActivePool(NotFound):
    """``GET /matching/pools/my`` with no active pool: the seed's 404 also carries ``{"pool": null}``."""

    default_message = _("There is no registered matching pool.")

    def __init__(self):
        super().__init__(data={"pool": None})


class NotPoolCreator(Forbidden):
    default_message = _("Only the pool creator can cancel")


class AlreadyMatched(ApiError):
    status_code = 400
    code = "ALREADY_MATCHED"
    default_message = _("A pool that is already matched cannot be cancelled")


class PoolExpired(ApiError):
    status_code = 400
    code = "EXPIRED"
    default_message = _("This matching pool has expired.")


class ProposalNotFound(NotFound):
    default_message = _("Proposal not found")


class NotProposalResponder(Forbidden):
    default_message = _("Only the pool creator can answer a proposal.")


class AlreadyResponded(ApiError):
    status_code = 400
    code = "ALREADY_RESPONDED"
    default_message = _("Proposal already responded to")


class ProposalExpired(ApiError):
    status_code = 400
    code = "EXPIRED"
    default_message = _("Expired proposal")
