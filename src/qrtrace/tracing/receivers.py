"""How tracing listens to the apps around it (connected in TracingConfig.ready)."""

from datetime import datetime

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils import timezone

from qrtrace.checkins.hooks import register_alert_provider
from qrtrace.checkins.signals import late_checkins_recorded
from qrtrace.notifications.signals import message_sent

from .models import Case, CaseStatus, Exposure, ExposureStatus, Level
from .notify import case_reference
from .rules import Rules
from .selectors import published_alerts
from .services import trace_jobs_enqueue


@receiver(message_sent)
def _mark_notified(*, reference: str, person_id: int, **kwargs) -> None:
    case_id = reference.removeprefix("case:")
    if case_id.isdigit() and reference == case_reference(int(case_id)):
        Exposure.objects.filter(case_id=int(case_id), person_id=person_id, status=ExposureStatus.NEW).update(
            status=ExposureStatus.NOTIFIED
        )


def cases_touched_by(*, venue_ids: list[int], earliest: datetime) -> list[int]:
    """Active cases whose lists a check-in at these venues from `earliest` on may change.

    F1 changes only if the window ends after earliest - max_stay - buffer (a visit overlapping a case
    visit began before it ended plus the buffer, and lasted at most max_stay); the window of a case
    not yet isolated runs to now. F2 changes if one of
    the case's F1s visited these venues since then (their own late visit, or someone else's beside it).
    """
    rules = Rules.from_settings()
    reach = earliest - rules.max_stay - rules.buffer
    through_f1 = Exposure.objects.filter(
        level=Level.F1,
        person__checkins__venue_id__in=venue_ids,
        person__checkins__entered_at__gte=earliest - rules.max_stay,
    ).values("case_id")
    return list(
        Case.objects.filter(status=CaseStatus.ACTIVE)
        .alias(window_end=Coalesce(F("isolated_at"), Value(timezone.now())))
        .filter(Q(window_end__gte=reach) | Q(pk__in=through_f1))
        .values_list("pk", flat=True)
    )


@receiver(late_checkins_recorded)
def _retrace_on_late_checkins(*, venue_ids: list[int], earliest: datetime, **kwargs) -> None:
    trace_jobs_enqueue(
        case_ids=cases_touched_by(venue_ids=venue_ids, earliest=earliest), reason="late check-in"
    )


@register_alert_provider
def _alerts_for_checkin_page(venue_ids, since: datetime):
    return published_alerts(venue_ids=venue_ids, since=since)
