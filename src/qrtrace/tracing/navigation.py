"""The tracing app's sections of the navigation bar."""

from django.utils.translation import gettext_lazy as _

from qrtrace.accounts.navigation import register_section, simple_section
from qrtrace.accounts.permissions import can_read_person, can_trace


def _province_office(user) -> bool:
    return can_read_person(user, None)


def register() -> None:
    register_section("cases", order=30, links=simple_section(_("Cases"), "tracing:cases", can_trace))
    register_section(
        "followup", order=32, links=simple_section(_("F1 to follow"), "tracing:followup_list", can_trace)
    )
    register_section(
        "unknown_residence",
        order=34,
        links=simple_section(_("Unknown residence"), "tracing:unknown_residence", _province_office),
    )
    register_section("alerts", order=40, links=simple_section(_("Venue alerts"), "tracing:alerts", can_trace))
