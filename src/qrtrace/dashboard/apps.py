from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "qrtrace.dashboard"

    def ready(self) -> None:
        from . import hooks

        hooks.autodiscover()  # each app's figures.py: figure and map-layer providers (see hooks)
        from qrtrace.audit.vocabulary import register_words

        from . import receivers  # noqa: F401 - the scan page's restricted areas (checkins.hooks)
        from .navigation import register

        register()
        # The audit log's words for the dashboard's own actions (a restricted area lifted early).
        register_words(actions={"lift": _("lifted a restricted area"), "override": _("set a risk level")})
