"""Keeping personal data no longer than the measure needs it.

Deletes run in batches, each its own transaction: a province holds 100–200 M check-ins, and one giant
DELETE would hold locks and WAL for hours, and lose all progress if interrupted. Every function here
can be re-run after an interruption and carries on where it stopped. On PostgreSQL whole expired days
of check-ins go first, as partitions dropped in one statement each (qrtrace.checkins.partitions), so
the batches only meet the rest: the expired hours of the cutoff day and rows held for open cases.
"""

import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet, TextField, Value, When
from django.db.models.functions import Cast

from qrtrace.audit.services import audit_event_create
from qrtrace.checkins.models import CheckIn, Person
from qrtrace.checkins.partitions import local_day, partition_drop_before
from qrtrace.lib.crypto import EncryptedTextField, reencrypt
from qrtrace.tracing.selectors import held_for_open_cases

log = logging.getLogger(__name__)

BATCH = 100_000
# Re-encryption writes one CASE expression per batch; small enough for SQLite's parameter limit.
REENCRYPT_BATCH = 500


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    checkins_deleted: int
    checkins_held: int  # expired, but kept for an open case
    persons_deleted: int
    partitions_dropped: int  # whole days of check-ins (PostgreSQL)


def _reverse_relations(model: type[models.Model]) -> list:
    """The foreign keys (and one-to-ones) of other tables that point at `model`, hidden ones too."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
    ]


def _delete_in_batches(queryset: QuerySet) -> int:
    """Delete the rows of `queryset` (and what cascades from them); returns how many of its own."""
    model, total = queryset.model, 0
    while True:
        with transaction.atomic():
            batch = model._base_manager.filter(pk__in=queryset.order_by().values("pk")[:BATCH])
            deleted = batch.delete()[1].get(model._meta.label, 0)
        if not deleted:
            return total
        total += deleted


def _unreferenced_persons(created_before: datetime) -> QuerySet[Person]:
    """People nothing refers to any more except what dies with them (devices, queued messages):
    no check-in, no case, no exposure, no ward, and — as apps are added — no quarantine order.

    Found from the model graph rather than a list, so a new table that points at Person (with
    anything but CASCADE) keeps its people without this function having to know about it. Only
    people older than the cutoff go: someone just given a personal QR card has no check-in yet.
    """
    people = Person.objects.filter(created_at__lt=created_before).exclude(
        Exists(CheckIn.objects.filter(person=OuterRef("pk")))
    )
    for relation in _reverse_relations(Person):
        if relation.on_delete is not models.CASCADE:
            referrers = relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
            people = people.exclude(Exists(referrers))
    return people


def checkin_purge_expired(*, now: datetime) -> PurgeResult:
    """Delete check-ins (with the declarations stored on them) older than QRTRACE_RETENTION_DAYS,
    except those an open case still needs, then the people left with nothing."""
    cutoff = now - timedelta(days=settings.QRTRACE_RETENTION_DAYS)
    expired = CheckIn.objects.filter(entered_at__lt=cutoff)
    # Days that ended before the cutoff's day began are expired whole.
    dropped = partition_drop_before(day=local_day(cutoff), keep=held_for_open_cases())
    checkins_deleted = dropped.rows_dropped + _delete_in_batches(expired.exclude(held_for_open_cases()))
    # Each batch asks again, so a guardian freed by deleting their last ward goes in the same run.
    persons_deleted = _delete_in_batches(_unreferenced_persons(cutoff))
    result = PurgeResult(
        cutoff=cutoff,
        checkins_deleted=checkins_deleted,
        checkins_held=expired.count(),
        persons_deleted=persons_deleted,
        partitions_dropped=len(dropped.days),
    )
    counts = {k: v for k, v in asdict(result).items() if k != "cutoff"}
    audit_event_create(
        actor=None,
        action="purge",
        object_type="checkin",
        purpose=f"retention {settings.QRTRACE_RETENTION_DAYS} days",
        details={"cutoff": cutoff.isoformat(), **counts},
    )
    log.info("purge before %s: %s", cutoff.isoformat(), counts)
    return result


def personal_data_models() -> list[type[models.Model]]:
    """Person and every table that points at it, directly or through another such table, ordered so
    that each comes before anything it points at (the order in which they can be emptied)."""
    found: list[type[models.Model]] = [Person]
    for model in found:  # grows while it is walked: a breadth-first search
        found.extend(r.related_model for r in _reverse_relations(model) if r.related_model not in found)
    ordered: list[type[models.Model]] = []
    while len(ordered) < len(found):
        ready = [
            model
            for model in found
            if model not in ordered
            and all(r.related_model in ordered or r.related_model is model for r in _reverse_relations(model))
        ]
        if not ready:
            raise RuntimeError(f"Tables point at each other in a cycle: {set(found) - set(ordered)}")
        ordered.extend(ready)
    return ordered


def personal_data_erase(*, reason: str) -> dict[str, int]:
    """Delete every person and everything about them: the end of the measure. Audit events stay
    (they name people only by a number that now points at nothing)."""
    counts = {}
    for model in personal_data_models():
        counts[model._meta.label] = _delete_in_batches(model._base_manager.all())
    audit_event_create(actor=None, action="erase_all", object_type="person", purpose=reason, details=counts)
    log.warning("all personal data erased (%s): %s", reason, counts)
    return counts


def encrypted_fields_rotate() -> Counter:
    """Re-encrypt every encrypted column of every model under the first QRTRACE_FIELD_KEYS key, so
    the old keys can be removed. Rows already under it are skipped: re-running costs only reads."""
    current = Fernet(settings.QRTRACE_FIELD_KEYS[0])
    rewritten: Counter = Counter()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                rewritten[f"{model._meta.label}.{field.name}"] = _rotate_column(model, field.attname, current)
    log.info("re-encrypted under the current key: %s", dict(rewritten))
    return rewritten


def _rotate_column(model: type[models.Model], column: str, current: Fernet) -> int:
    rewritten, last_pk = 0, None
    rows = model._base_manager.exclude(**{f"{column}__isnull": True}).order_by("pk")
    while True:
        page = rows if last_pk is None else rows.filter(pk__gt=last_pk)
        # Cast to plain text so the ciphertext is read as stored, not decrypted by the field.
        batch = list(page.values_list("pk", Cast(column, TextField()))[:REENCRYPT_BATCH])
        if not batch:
            return rewritten
        last_pk = batch[-1][0]
        stale = {pk: reencrypt(token) for pk, token in batch if not _under(current, token)}
        if stale:
            # A CASE of plain values: written as given, not encrypted a second time by the field.
            whens = (When(pk=pk, then=Value(token)) for pk, token in stale.items())
            new = models.Case(*whens, output_field=TextField())
            with transaction.atomic():
                model._base_manager.filter(pk__in=stale).update(**{column: new})
            rewritten += len(stale)


def _under(key: Fernet, token: str) -> bool:
    try:
        key.extract_timestamp(token.encode())  # checks the token's MAC against this key only
    except InvalidToken:
        return False
    return True
