"""The quarantine app's sections of the navigation bar."""

from django.utils.translation import gettext_lazy as _

from qrtrace.accounts.navigation import register_section, simple_section
from qrtrace.accounts.permissions import is_quarantine_official


def register() -> None:
    register_section(
        "quarantine",
        order=50,
        links=simple_section(_("Quarantine"), "quarantine:board", is_quarantine_official),
    )
    register_section(
        "quarantine_worklist",
        order=51,
        links=simple_section(_("Daily checks"), "quarantine:worklist", is_quarantine_official),
    )
