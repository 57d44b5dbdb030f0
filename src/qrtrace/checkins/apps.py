from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "qrtrace.checkins"

    def ready(self) -> None:
        from .navigation import register

        register()
