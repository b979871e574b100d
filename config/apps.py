from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from config import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from config.db import use_compiled_timestamptz_loader

        connection_created.connect(use_compiled_timestamptz_loader, dispatch_uid="compiled_timestamptz_loader")
