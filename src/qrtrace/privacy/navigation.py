"""The privacy app's section of the navigation bar: legal holds, for the province office."""

from django.utils.translation import gettext_lazy as _

from qrtrace.accounts.navigation import register_section, simple_section
from qrtrace.accounts.permissions import can_manage_legal_holds


def register() -> None:
    register_section(
        "holds", order=92, links=simple_section(_("Legal holds"), "privacy:holds", can_manage_legal_holds)
    )
