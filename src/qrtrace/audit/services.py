from collections.abc import Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from qrtrace.lib.rows import row_insert, rows_insert_values

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
    person_ids: Iterable[int] | QuerySet = (),
    details: dict | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` on a record (and on these people's data), and why.

    Every service that reads or changes personal data for an official calls this, inside its own
    transaction, so the record and the audit trail are written together or not at all.

    `person_ids` may be a QuerySet of one column (`values_list(<person id>, flat=True)`): the
    database then copies its distinct values into the subjects itself, so an export of a million
    rows is audited without Python ever holding a million ids.
    """
    if isinstance(person_ids, QuerySet):
        _check_one_column(person_ids)
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
    if isinstance(person_ids, QuerySet):
        _subjects_insert_select(event, person_ids)
    else:
        # Two ids a row: no AuditSubject instance each (a gate device's batch names hundreds of people).
        rows_insert_values(
            AuditSubject, ("event_id", "person_id"), [(event.pk, pid) for pid in sorted(set(person_ids))]
        )
    return event


def _check_one_column(person_ids: QuerySet) -> None:
    query = person_ids.query
    if len(query.values_select) + len(query.annotation_select) + len(query.extra_select) != 1:
        raise ValueError("person_ids must select one column: values_list(<person id>, flat=True)")


def _subjects_insert_select(event: AuditEvent, person_ids: QuerySet) -> None:
    # Ordering would only make the database sort rows it then deduplicates.
    sql, params = person_ids.order_by().query.sql_with_params()
    connection = connections[person_ids.db]
    table = connection.ops.quote_name(AuditSubject._meta.db_table)
    # Both names are ours and `sql` is Django's compiled query: only `params` carry values.
    insert = f"INSERT INTO {table} (event_id, person_id) SELECT DISTINCT %s, ids.* FROM ({sql}) ids"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, [event.pk, *params])


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
