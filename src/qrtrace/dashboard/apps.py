from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "qrtrace.dashboard"

    def ready(self) -> None:
        from . import hooks

        hooks.autodiscover()  # each app's figures.py: figure and map-layer providers (see hooks)
        from . import receivers  # noqa: F401 - the scan page's restricted areas (checkins.hooks)
        from .navigation import register

        register()
