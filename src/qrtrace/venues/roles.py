"""The `venue` role: how `qrtrace official add x --role venue --area <CODE>` finds the venue, and
how a venue's managers follow from memberships.

Memberships are the source of truth (they feed Jurisdiction.venues, which accounts.permissions
reads); `Venue.managers` mirrors them so templates and the admin can list a venue's managers.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qrtrace.accounts.models import Membership, Role
from qrtrace.accounts.scopes import Area

from .models import Venue


def venue_area(code: str) -> Area:
    venue = Venue.objects.filter(code=code.upper()).first()
    if venue is None:
        raise ValidationError(_("There is no venue with code %(code)s.") % {"code": code})
    return Area(code=venue.code, province_code=venue.commune.province_id, commune_code=venue.commune_id)


def membership_saved(sender, instance: Membership, **kwargs) -> None:
    if instance.role == Role.VENUE:
        for venue in Venue.objects.filter(code=instance.area_code):
            venue.managers.add(instance.user_id)


def membership_deleted(sender, instance: Membership, **kwargs) -> None:
    if instance.role == Role.VENUE:
        for venue in Venue.objects.filter(code=instance.area_code):
            venue.managers.remove(instance.user_id)
