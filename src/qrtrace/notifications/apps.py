from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qrtrace.notifications"

    def ready(self) -> None:
        from .receivers import connect

        connect()
