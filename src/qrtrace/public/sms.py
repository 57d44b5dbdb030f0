"""An urgent announcement by SMS: one message per person who checked in within its area lately.

Through notifications (one message per person per reference, rate and retries there), skipping phones
that opted out; every message carries its own opt-out link. The recipients are audited as one
system event naming them.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from qrtrace.audit.services import audit_event_create
from qrtrace.checkins.models import CheckIn
from qrtrace.notifications.services import Outgoing, messages_enqueue
from qrtrace.people.models import Person

from .models import Announcement, SmsOptOut
from .services import OPTOUT_KEYWORD, optout_token

BATCH = 1000
SMS_TEXT = 300  # characters of the announcement an SMS carries (a few segments)


def reference(announcement_id: int) -> str:
    return f"announcement:{announcement_id}"


def _body(announcement: Announcement, phone_hash: str | None) -> str:
    base = settings.PUBLIC_BASE_URL
    text = f"{announcement.title}: {announcement.body}"
    if len(text) > SMS_TEXT:
        text = text[: SMS_TEXT - 1] + "…"
    parts = [text, base + reverse("public:announcement", args=[announcement.pk])]
    with override(settings.LANGUAGE_CODE):
        if phone_hash:
            stop = base + reverse("public:optout", args=[optout_token(phone_hash)])
            parts.append(_("Stop these SMS: %(link)s") % {"link": stop})
        if settings.QRTRACE_SMS_NUMBER:
            parts.append(
                _("or text %(word)s to %(number)s")
                % {"word": OPTOUT_KEYWORD, "number": settings.QRTRACE_SMS_NUMBER}
            )
    return " ".join(parts)


def recipients(announcement: Announcement):
    """People who checked in at venues of its area in its SMS window, not opted out (ids)."""
    since = announcement.sms_requested_at - timedelta(days=announcement.sms_days)
    visits = CheckIn.objects.filter(
        entered_at__gte=since, venue__commune__province_id=settings.QRTRACE_PROVINCE
    )
    communes = list(announcement.communes.values_list("code", flat=True))
    if communes:
        visits = visits.filter(venue__commune_id__in=communes)
    opted_out = SmsOptOut.objects.values("phone_hash")
    return (
        Person.objects.filter(pk__in=visits.values("person_id"))
        .exclude(phone_hash__in=opted_out)
        .exclude(guardian__phone_hash__in=opted_out)
        .order_by("pk")
    )


def announcement_sms_queue(*, announcement_id: int) -> int:
    """Queue the messages of an announcement whose SMS round was asked for; returns how many were new."""
    announcement = Announcement.objects.filter(pk=announcement_id, sms_requested_at__isnull=False).first()
    if announcement is None or announcement.withdrawn_at is not None:
        return 0
    queued, after = 0, 0
    while True:
        people = list(recipients(announcement).filter(pk__gt=after).select_related("guardian")[:BATCH])
        if not people:
            break
        after = people[-1].pk
        with transaction.atomic():
            outgoing = [
                Outgoing(
                    person=p, body=_body(announcement, p.phone_hash or (p.guardian and p.guardian.phone_hash))
                )
                for p in people
            ]
            queued += messages_enqueue(reference=reference(announcement.pk), outgoing=outgoing)
            audit_event_create(
                actor=None,
                action="announcement_sms_queue",
                object_type="announcement",
                object_id=announcement.pk,
                purpose="urgent announcement by SMS",
                person_ids=[p.pk for p in people],
            )
    Announcement.objects.filter(pk=announcement.pk).update(sms_queued=queued + (announcement.sms_queued or 0))
    return queued
