from datetime import date

from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_list(
    *,
    person_id: int | None = None,
    actor_id: int | None = None,
    actor_name: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first; dates are whole days in the deployment's time zone, both included."""
    events = AuditEvent.objects.order_by("-at", "-pk")
    if person_id is not None:
        events = events.filter(subjects__person_id=person_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if actor_name:
        events = events.filter(actor_name=actor_name)
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(at__date__lte=date_to)
    return events.prefetch_related("subjects")


def audit_action_list() -> list[str]:
    """The actions recorded so far, for the filter's suggestions."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
