"""The venues app's sections of the officials' navigation bar (accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from qrtrace.accounts.models import Role
from qrtrace.accounts.navigation import register_area_label, register_section, simple_section
from qrtrace.accounts.permissions import is_area_official

from .models import Venue


def _signed_in(user) -> bool:
    return user.is_authenticated


def _venue_name(code: str) -> str:
    return Venue.objects.filter(code=code).values_list("name", flat=True).first() or code


def register() -> None:
    register_section("venues", order=10, links=simple_section(_("Venues"), "venues:list", _signed_in))
    register_section(
        "posters", order=15, links=simple_section(_("Poster batches"), "venues:batches", is_area_official)
    )
    register_area_label(Role.VENUE, _venue_name)
