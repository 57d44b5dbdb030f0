from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_list(*, person_id: int | None = None, actor_id: int | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-at")
    if person_id is not None:
        events = events.filter(subjects__person_id=person_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    return events
