"""The public app's sections of the officials' navigation bar."""

from django.utils.translation import gettext_lazy as _

from qrtrace.accounts.navigation import register_section, simple_section
from qrtrace.accounts.permissions import can_read_feedback, can_write_announcements


def register() -> None:
    register_section(
        "announcements",
        order=70,
        links=simple_section(_("Announcements"), "public:announcement_list", can_write_announcements),
    )
    register_section(
        "feedback",
        order=72,
        links=simple_section(_("Citizens' reports"), "public:feedback_list", can_read_feedback),
    )
