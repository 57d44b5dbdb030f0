from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save


class VenuesConfig(AppConfig):
    name = "qrtrace.venues"

    def ready(self) -> None:
        from qrtrace.accounts.models import Membership, Role
        from qrtrace.accounts.scopes import register_area_resolver

        from .checks import qr_fits_version_4
        from .navigation import register as register_navigation
        from .roles import membership_deleted, membership_saved, venue_area

        register_area_resolver(Role.VENUE, venue_area)
        post_save.connect(membership_saved, sender=Membership, dispatch_uid="venues.membership_saved")
        post_delete.connect(membership_deleted, sender=Membership, dispatch_uid="venues.membership_deleted")
        checks.register(qr_fits_version_4)
        register_navigation()
