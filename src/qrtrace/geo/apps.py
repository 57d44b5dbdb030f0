from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_units(sender, using, **kwargs) -> None:
    from .services import geo_sync

    geo_sync()


class GeoConfig(AppConfig):
    name = "qrtrace.geo"

    def ready(self) -> None:
        post_migrate.connect(_sync_units, sender=self, dispatch_uid="qrtrace.geo.sync")
