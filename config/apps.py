from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from config import schema  # noqa: F401  (registers the OpenAPI auth extension)
