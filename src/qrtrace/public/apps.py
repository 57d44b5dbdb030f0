from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "qrtrace.public"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the announcement provider of the receipt
        from .navigation import register

        register()
