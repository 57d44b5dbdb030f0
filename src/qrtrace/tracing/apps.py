from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "qrtrace.tracing"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers and the alert provider
        from .navigation import register

        register()
