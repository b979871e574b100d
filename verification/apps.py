from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"

    def ready(self) -> None:
        from verification import schema  # noqa: F401  (registers the OpenAPI auth extension)
