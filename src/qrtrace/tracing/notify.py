"""Telling exposed people: queue one SMS per person per case through the notifications app."""

from django.utils import translation
from django.utils.translation import gettext as _

from qrtrace.notifications.services import Outgoing, messages_enqueue

from .models import Case, Exposure, ExposureStatus

# Every message about a case is named after it, so the purge can find them when the case goes.
CASE_REFERENCE_PREFIX = "case:"


def case_reference(case_id: int) -> str:
    return f"{CASE_REFERENCE_PREFIX}{case_id}"


def exposures_notify(*, case: Case) -> int:
    """Queue messages for the case's new exposures; people already messaged are skipped by the outbox."""
    exposures = Exposure.objects.filter(case=case, status=ExposureStatus.NEW).select_related(
        "person", "person__guardian"
    )
    # Messages go out in Vietnamese whatever language the official who traced is using.
    with translation.override("vi"):
        body = _(
            "QRTrace - Health Department: you may have been in contact with a COVID-19 case. Stay home, "
            "watch for symptoms and contact your commune health station today."
        )
    return messages_enqueue(
        reference=case_reference(case.pk), outgoing=[Outgoing(person=e.person, body=body) for e in exposures]
    )
