from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _sync_units(sender, using, **kwargs) -> None:
    from .models import Province
    from .services import geo_sync

    # post_migrate fires after every migrate, also `migrate <other app>` before geo's tables exist.
    if Province._meta.db_table in connections[using].introspection.table_names():
        geo_sync()


class GeoConfig(AppConfig):
    name = "qrtrace.geo"

    def ready(self) -> None:
        post_migrate.connect(_sync_units, sender=self, dispatch_uid="qrtrace.geo.sync")
