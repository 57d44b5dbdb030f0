"""The check-ins app's sections of the navigation bar: venue staff reach their gate scanner and
visitor log in one tap (with several venues, the gate page lists them)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from qrtrace.accounts.navigation import register_section
from qrtrace.accounts.permissions import staffed_venue_codes

from .selectors import staff_venue_list


def _gate_links(user) -> list[tuple[str, str]]:
    if not staffed_venue_codes(user):
        return []
    venues = list(staff_venue_list(user=user)[:2])
    if len(venues) != 1:
        return [(_("Gate scanner"), reverse("checkins:gate_index"))]
    code = venues[0].code
    return [
        (_("Gate scanner"), reverse("checkins:gate", args=[code])),
        (_("Visitor log"), reverse("checkins:visitors", args=[code])),
    ]


def register() -> None:
    register_section("gate", order=20, links=_gate_links)
