from django.utils.translation import gettext_lazy as _

from config.errors import ApiError


class InsufficientGems(ApiError):
    status_code = 402
    code = "INSUFFICIENT_GEMS"
    default_message = _("You do not have enough gems.")


class InvalidPaymentToken(ApiError):
    status_code = 400
    code = "INVALID_PAYMENT_TOKEN"
    default_message = _("The payment token is invalid.")


class PaymentProviderUnavailable(ApiError):
    status_code = 503
    code = "PAYMENT_PROVIDER_UNAVAILABLE"
    default_message = _("The payment provider is unavailable. Nothing was charged; please try again later.")
