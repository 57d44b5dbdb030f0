"""How the public app fills the registries of the apps below it (connected in PublicConfig.ready)."""

from django.urls import reverse

from qrtrace.checkins.hooks import register_announcement_provider
from qrtrace.notifications.inbound import register_keyword

from .selectors import announcements_for_communes
from .services import OPTOUT_KEYWORD, sms_optout_by_text

register_keyword(OPTOUT_KEYWORD, sms_optout_by_text)


@register_announcement_provider
def _announcements_for_receipt(commune_ids):
    return [
        {
            "title": item.title,
            "body": item.body,
            "urgent": item.urgent,
            "url": reverse("public:announcement", args=[item.pk]),
        }
        for item in announcements_for_communes(commune_ids=commune_ids)
    ]
