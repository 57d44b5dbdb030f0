"""Telling exposed people: one SMS per person per case through the notifications app, queued only
when an official has reviewed the list (`services.case_notifications_confirm`), F1 before F2, and
withdrawn while still unsent when the contact stops being current (dismissed, closed, a case)."""

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from qrtrace.notifications.selectors import message_list
from qrtrace.notifications.services import Outgoing, messages_cancel, messages_enqueue

from .models import Case, Exposure, ExposureStatus, Level

# Delivery order: the people told to stay home and be tested go out before those told to watch.
PRIORITY = {Level.F1: 0, Level.F2: 1}

# Every message about a case is named after it, so the purge can find them when the case goes.
CASE_REFERENCE_PREFIX = "case:"


def case_reference(case_id: int) -> str:
    return f"{CASE_REFERENCE_PREFIX}{case_id}"


def message_body(level: str) -> str:
    """The SMS for a level. What to do differs: an F1 stays home and is tested; an F2 watches.
    Always in Vietnamese, whatever language the official who confirms is using."""
    with translation.override("vi"):
        if level == Level.F1:
            return _(
                "QRTrace - Health Department: you were in close contact (F1) with a COVID-19 case. Stay "
                "at home, keep away from others and call your commune health station today for a test "
                "and quarantine instructions."
            )
        return _(
            "QRTrace - Health Department: you were in contact with a close contact (F2) of a COVID-19 "
            "case. Limit going out, watch for fever, cough or loss of smell and call your commune "
            "health station if you have any of them."
        )


def notifications_pending(*, case: Case) -> dict[str, list[Exposure]]:
    """The case's current contacts not yet messaged about it, per level (F1 first): what a
    confirmation would send. People already told (or whose message failed) are not told twice,
    whatever a re-trace found."""
    told = message_list(reference=case_reference(case.pk)).values("person_id")
    exposures = (
        Exposure.objects.filter(case=case, status=ExposureStatus.NEW)
        .exclude(person_id__in=told)
        .select_related("person", "person__guardian")
        .order_by("level", "pk")
    )
    pending: dict[str, list[Exposure]] = {level: [] for level in Level.values}
    for exposure in exposures:
        pending[exposure.level].append(exposure)
    return pending


def exposures_notify(*, case: Case, exposures: list[Exposure]) -> int:
    """Queue the messages for these contacts of the case, F1 before F2."""
    ordered = sorted(exposures, key=lambda e: (PRIORITY[e.level], e.pk))
    return messages_enqueue(
        reference=case_reference(case.pk),
        outgoing=[
            Outgoing(person=e.person, body=message_body(e.level), priority=PRIORITY[e.level]) for e in ordered
        ],
    )


def exposure_messages_cancel(exposures: QuerySet[Exposure]) -> int:
    """Withdraw the unsent messages of these contacts (call it before they stop being current)."""
    people: dict[int, list[int]] = defaultdict(list)
    for case_id, person_id in exposures.values_list("case_id", "person_id"):
        people[case_id].append(person_id)
    return sum(
        messages_cancel(reference=case_reference(case_id), person_ids=ids) for case_id, ids in people.items()
    )
