from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from qrtrace.lib.rows import row_insert, rows_insert

from .models import AuditEvent, AuditSubject
from .selectors import audit_event_list


def _client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") if request is not None else None


# savepoint=False: inside a use-case the event joins the caller's transaction rather than wrapping its
# two INSERTs in a SAVEPOINT/RELEASE pair (two more statements on every audited write, the check-in
# API's among them). Nothing catches an audit failure to carry on, so a failure still rolls back the
# whole use-case, record and audit together; called alone it still gets a transaction of its own.
@transaction.atomic(savepoint=False)
def audit_event_create(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str | int = "",
    purpose: str = "",
    request: HttpRequest | None = None,
    person_ids: Iterable[int] = (),
    details: dict | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` on a record (and on these people's data), and why.

    Every service that reads or changes personal data for an official calls this, inside its own
    transaction, so the record and the audit trail are written together or not at all.
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    # Written with lib.rows, not the ORM's create(): this runs inside every audited write, the check-in
    # API's among them, where compiling the two INSERTs cost more than executing them.
    event = row_insert(
        AuditEvent(
            actor=actor if authenticated else None,
            actor_name=actor.get_username() if authenticated else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            purpose=purpose[:200],
            ip=_client_ip(request),
            details=details or {},
        )
    )
    rows_insert([AuditSubject(event=event, person_id=pid) for pid in sorted(set(person_ids))])
    return event


def audit_log_read(*, actor: Any, request: HttpRequest, filters: dict) -> QuerySet[AuditEvent]:
    """The audit log as filtered, for the province office. Reading it is itself an official read of
    personal data (it says whose records were opened), so it leaves an event of its own."""
    person_id = filters.get("person_id")
    audit_event_create(
        actor=actor,
        action="read",
        object_type="audit_log",
        purpose="audit review",
        request=request,
        person_ids=[person_id] if person_id is not None else [],
        details={key: str(value) for key, value in filters.items() if value not in (None, "")},
    )
    return audit_event_list(**filters)
