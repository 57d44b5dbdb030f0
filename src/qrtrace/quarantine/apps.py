from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "qrtrace.quarantine"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - registers the facility resolver and quarantine starts
        from .navigation import register

        register()
