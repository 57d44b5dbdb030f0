from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qrtrace.accounts"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from .navigation import register_section, simple_section
        from .permissions import can_read_audit

        register_section(
            "audit", order=90, links=simple_section(_("Audit log"), "audit:event_list", can_read_audit)
        )
