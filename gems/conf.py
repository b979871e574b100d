"""Settings of the gems app, with their defaults (``config/settings.py`` may override them)."""

from django.conf import settings


def dev_payment_provider_enabled() -> bool:
    # Off in production (APP_ENV=production); read at call time so tests can switch it.
    return bool(getattr(settings, "DEV_PAYMENT_PROVIDER_ENABLED", False))


def payment_providers() -> list[str]:
    """Dotted paths of the payment providers, tried in order; each claims the tokens it knows."""
    return list(getattr(settings, "GEM_PAYMENT_PROVIDERS", ["gems.providers.DevPaymentProvider"]))
