"""Payment providers: each turns a payment token into a verified (transaction id, product id).

The gems a product buys come from ``GemProduct`` (admin-editable data), never from the token.
Providers are listed in ``settings.GEM_PAYMENT_PROVIDERS`` (dotted paths, see ``gems.conf``);
the first one that claims a token redeems it. A store integration subclasses
``PaymentProvider``, calls its store's receipt-validation API in ``redeem`` and raises
``PaymentProviderUnavailable`` when the store cannot be reached.
"""

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.utils.module_loading import import_string
from django.utils.translation import gettext

from gems import conf
from gems.errors import InvalidPaymentToken


@dataclass(frozen=True)
class VerifiedPayment:
    transaction_id: str
    product_id: str


class PaymentProvider(ABC):
    #: Short, stable name; with the transaction id it forms the ledger reference of a charge.
    name: str

    @abstractmethod
    def claims(self, token: str) -> bool:
        """Whether this provider is the one that issued ``token`` (by its shape, no network)."""

    @abstractmethod
    def redeem(self, token: str) -> VerifiedPayment:
        """Verifies ``token``. Raises InvalidPaymentToken or PaymentProviderUnavailable."""


class DevPaymentProvider(PaymentProvider):
    """Development provider: ``dev:<product_id>:<nonce>`` is a paid purchase of that product.

    Works only while ``DEV_PAYMENT_PROVIDER_ENABLED`` is on (never in production). The whole
    token is the transaction id, so a new nonce is a new purchase and a repeated one is not.
    """

    name = "dev"
    _TOKEN = re.compile(r"^dev:(?P<product_id>[-a-zA-Z0-9_]{1,64}):(?P<nonce>[-a-zA-Z0-9_]{1,64})$")

    def claims(self, token: str) -> bool:
        return conf.dev_payment_provider_enabled() and token.startswith("dev:")

    def redeem(self, token: str) -> VerifiedPayment:
        match = self._TOKEN.match(token)
        if match is None:
            raise InvalidPaymentToken(details={"payment_token": [gettext("Expected dev:<product_id>:<nonce>.")]})
        return VerifiedPayment(transaction_id=token, product_id=match["product_id"])


def payment_provider_for(token: str) -> PaymentProvider:
    """The configured provider that claims ``token``. Raises InvalidPaymentToken when none does."""
    for path in conf.payment_providers():
        provider = import_string(path)()
        if provider.claims(token):
            return provider
    raise InvalidPaymentToken()
