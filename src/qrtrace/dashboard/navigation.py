"""The dashboard's sections of the navigation bar."""

from django.utils.translation import gettext_lazy as _

from qrtrace.accounts.navigation import register_section, simple_section
from qrtrace.accounts.permissions import can_view_dashboard


def register() -> None:
    register_section("map", order=60, links=simple_section(_("Map"), "dashboard:map", can_view_dashboard))
    register_section(
        "figures", order=62, links=simple_section(_("Figures"), "dashboard:overview", can_view_dashboard)
    )
