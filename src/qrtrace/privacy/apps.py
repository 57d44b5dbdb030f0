from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Retention, shutdown and key rotation: the jobs that keep personal data only as long as needed."""

    name = "qrtrace.privacy"

    def ready(self) -> None:
        from .navigation import register

        register()
