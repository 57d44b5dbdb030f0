from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class LibConfig(AppConfig):
    name = "qrtrace.lib"

    def ready(self) -> None:
        checks.register(_schedules_check)


def _schedules_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`qrtrace check` and `migrate` refuse a bad QRTRACE_SCHEDULES entry, not only the worker."""
    from .background import schedules

    try:
        schedules()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="lib.E001")]
    return []
