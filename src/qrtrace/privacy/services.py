"""Keeping personal data no longer than the measure needs it.

Deletes run in batches, each its own transaction: a province holds 100–200 M check-ins, and one giant
DELETE would hold locks and WAL for hours, and lose all progress if interrupted. Every function here
can be re-run after an interruption and carries on where it stopped. On PostgreSQL whole expired days
of check-ins go first, as partitions dropped in one statement each (qrtrace.checkins.partitions), so
the batches only meet the rest: the expired hours of the cutoff day and rows kept for open or held
cases.

Tracing data has its own clock: a closed case, its contacts, their evidence and its messages go
QRTRACE_TRACING_RETENTION_DAYS after it closed, leaving figures without people (CaseSummary), unless
a legal hold keeps them. RETENTION (qrtrace.privacy.retention) says what removes each personal table.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_manage_legal_holds, require
from qrtrace.audit.services import audit_event_create
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.partitions import local_day, partition_drop_before
from qrtrace.lib.crypto import EncryptedTextField, reencrypt
from qrtrace.lib.errors import Conflict
from qrtrace.notifications.models import Message
from qrtrace.people.models import Person
from qrtrace.tracing.models import Case, CaseStatus, Exposure
from qrtrace.tracing.notify import CASE_REFERENCE_PREFIX, case_reference
from qrtrace.tracing.retention import case_summaries_record, checkins_needed_by

from .models import LegalHold

log = logging.getLogger(__name__)

BATCH = 100_000
# Deleting a case takes its exposures with it (thousands, for a market or a school): fewer at a time.
CASE_BATCH = 200
# Re-encryption writes one CASE expression per batch; small enough for SQLite's parameter limit.
REENCRYPT_BATCH = 500
# Messages about a case go with the case; the others on their own.
_CASE_MESSAGES = Q(reference__startswith=CASE_REFERENCE_PREFIX)


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    checkins_deleted: int
    checkins_held: int  # expired, but kept for an open or held case
    persons_deleted: int
    partitions_dropped: int  # whole days of check-ins (PostgreSQL)
    tracing_cutoff: datetime  # cases closed before this lose their tracing data
    cases_deleted: int  # each leaving a CaseSummary
    exposures_deleted: int
    cases_held: int  # closed before the tracing cutoff, kept by a legal hold
    messages_deleted: int


def _reverse_relations(model: type[models.Model]) -> list:
    """The foreign keys (and one-to-ones) of other tables that point at `model`, hidden ones too."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
    ]


def _delete_in_batches(
    queryset: QuerySet, *, size: int | None = None, before_each: Callable[[QuerySet], Counter] | None = None
) -> Counter:
    """Delete the rows of `queryset` and what cascades from them, `size` (BATCH) at a time; returns
    how many went from each table. `before_each(batch)` runs first in each batch's transaction and
    returns what it deleted itself."""
    model, total = queryset.model, Counter()
    while True:
        with transaction.atomic():
            chosen = queryset.order_by().values("pk")[: size or BATCH]
            if before_each is not None:  # it reads the batch too: the same rows it will delete, fixed
                chosen = list(chosen.values_list("pk", flat=True))
            batch = model._base_manager.filter(pk__in=chosen)
            deleted = before_each(batch) if before_each is not None else Counter()
            deleted.update(batch.delete()[1])
        if not deleted.get(model._meta.label):
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


def _holding_cases(now: datetime) -> QuerySet[Case]:
    """The cases whose data stays whatever its age: the open ones (tracing still runs) and those
    under a legal hold in force."""
    held = LegalHold.objects.live(now).filter(case=OuterRef("pk"))
    return Case.objects.filter(Q(status=CaseStatus.ACTIVE) | Q(Exists(held)))


def _case_data_delete(batch: QuerySet[Case]) -> Counter:
    """Before a batch of cases goes: keep their figures, and delete the messages sent about them."""
    case_summaries_record(cases=batch)
    references = [case_reference(pk) for pk in batch.values_list("pk", flat=True)]
    return Counter(Message.objects.filter(reference__in=references).delete()[1])


def checkin_purge_expired(*, now: datetime) -> PurgeResult:
    """The daily purge. Deletes, in order:

    1. closed cases past QRTRACE_TRACING_RETENTION_DAYS and not under a legal hold, with everything
       of theirs (exposures and their evidence, timeline places, alerts, trace jobs, holds, messages),
       each leaving a CaseSummary;
    2. messages not about a case, older than QRTRACE_RETENTION_DAYS;
    3. check-ins (with the declarations stored on them) older than QRTRACE_RETENTION_DAYS, except
       those an open or held case may still read (qrtrace.tracing.retention.checkins_needed_by);
    4. the people left with nothing: contacts included, once no check-in, exposure or hold keeps them.
    """
    cutoff = now - timedelta(days=settings.QRTRACE_RETENTION_DAYS)
    tracing_cutoff = now - timedelta(days=settings.QRTRACE_TRACING_RETENTION_DAYS)
    past_retention = Case.objects.filter(closed_at__lt=tracing_cutoff)
    holding = _holding_cases(now)
    tracing = _delete_in_batches(
        past_retention.exclude(pk__in=holding.values("pk")), size=CASE_BATCH, before_each=_case_data_delete
    )
    old_messages = Message.objects.filter(created_at__lt=cutoff).exclude(_CASE_MESSAGES)
    messages_deleted = _delete_in_batches(old_messages)
    expired = CheckIn.objects.filter(entered_at__lt=cutoff)
    needed = checkins_needed_by(holding)
    # Days that ended before the cutoff's day began are expired whole.
    dropped = partition_drop_before(day=local_day(cutoff), keep=needed)
    checkins_deleted = dropped.rows_dropped + _delete_in_batches(expired.exclude(needed))[CheckIn._meta.label]
    # Each batch asks again, so a guardian freed by deleting their last ward goes in the same run.
    persons_deleted = _delete_in_batches(_unreferenced_persons(cutoff))[Person._meta.label]
    result = PurgeResult(
        cutoff=cutoff,
        checkins_deleted=checkins_deleted,
        checkins_held=expired.count(),
        persons_deleted=persons_deleted,
        partitions_dropped=len(dropped.days),
        tracing_cutoff=tracing_cutoff,
        cases_deleted=tracing[Case._meta.label],
        exposures_deleted=tracing[Exposure._meta.label],
        cases_held=past_retention.count(),
        messages_deleted=messages_deleted[Message._meta.label] + tracing[Message._meta.label],
    )
    counts = {k: v for k, v in asdict(result).items() if not k.endswith("cutoff")}
    purpose = (
        f"retention {settings.QRTRACE_RETENTION_DAYS} days, "
        f"tracing {settings.QRTRACE_TRACING_RETENTION_DAYS} days after a case closed"
    )
    audit_event_create(
        actor=None,
        action="purge",
        object_type="checkin",
        purpose=purpose,
        details={"cutoff": cutoff.isoformat(), "tracing_cutoff": tracing_cutoff.isoformat(), **counts},
    )
    log.info("purge before %s (tracing %s): %s", cutoff.isoformat(), tracing_cutoff.isoformat(), counts)
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


class LegalHoldsInForce(Exception):
    """The shutdown was asked while legal holds are in force; nothing was deleted."""

    def __init__(self, holds: list[LegalHold]):
        super().__init__(holds)
        self.holds = holds


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in personal_data_models()}


def personal_data_erase(*, reason: str, override_legal_holds: bool = False) -> dict[str, dict[str, int]]:
    """Delete every person and everything about them: the end of the measure. Audit events stay
    (they name people only by a number that now points at nothing); case summaries stay (figures).

    A legal hold in force means someone with the authority to ask has asked for a case's data to be
    kept: the erase refuses (LegalHoldsInForce) unless told to override them, and then says which.
    Returns, per table, the rows before, deleted and left after — all zero after, or it raises."""
    now = timezone.now()
    holds = list(LegalHold.objects.live(now).order_by("pk"))
    if holds and not override_legal_holds:
        raise LegalHoldsInForce(holds)
    before = _row_counts()
    deleted = {}
    for model in personal_data_models():
        deleted[model._meta.label] = _delete_in_batches(model._base_manager.all())[model._meta.label]
    after = _row_counts()
    counts = {
        label: {"before": before[label], "deleted": deleted[label], "after": after[label]} for label in before
    }
    details = {
        "tables": counts,
        "legal_holds_overridden": [{"id": h.pk, "case": h.case_id, "reason": h.reason} for h in holds],
    }
    audit_event_create(actor=None, action="erase_all", object_type="person", purpose=reason, details=details)
    log.warning("all personal data erased (%s): %s", reason, counts)
    left = {label: n for label, n in after.items() if n}
    if left:  # rows written while the erase ran: the server was not stopped
        raise RuntimeError(f"Rows remain after the erase (stop the server and run it again): {left}")
    return counts


def _hold_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError({"reason": [_("Give the reason in a few words (at least 10 characters).")]})
    return reason[:300]


@transaction.atomic
def legal_hold_place(
    *, actor: User, case_id: int, reason: str, until: date, request: HttpRequest | None = None
) -> LegalHold:
    """Keep a case's tracing data (its check-ins, contacts and their people) until the end of `until`,
    whatever its retention. The province office and administrators only."""
    require(can_manage_legal_holds, actor)
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise ValidationError({"case": [_("There is no case with this number.")]})
    today = timezone.localdate()
    latest = today + timedelta(days=settings.QRTRACE_LEGAL_HOLD_MAX_DAYS)
    if until < today:
        raise ValidationError({"until": [_("The end date is in the past.")]})
    if until > latest:
        message = _("A hold lasts at most %(days)d days; place a new one when it ends.")
        raise ValidationError({"until": [message % {"days": settings.QRTRACE_LEGAL_HOLD_MAX_DAYS}]})
    hold = LegalHold.objects.create(case=case, reason=_hold_reason(reason), until=until, placed_by=actor)
    audit_event_create(
        actor=actor,
        action="legal_hold_place",
        object_type="case",
        object_id=case.pk,
        purpose=hold.reason[:200],
        request=request,
        details={"hold": hold.pk, "until": until.isoformat(), "reason": hold.reason},
    )
    return hold


@transaction.atomic
def legal_hold_lift(
    *, actor: User, hold_id: int, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    """End a hold before its date; the case's data then follows its retention again."""
    require(can_manage_legal_holds, actor)
    hold = LegalHold.objects.select_for_update().get(pk=hold_id)  # LegalHold.DoesNotExist: a 404
    if hold.lifted_at is not None:
        raise Conflict(_("This hold has already been lifted."))
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), actor, _hold_reason(reason)
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_event_create(
        actor=actor,
        action="legal_hold_lift",
        object_type="case",
        object_id=hold.case_id,
        purpose=hold.lift_reason[:200],
        request=request,
        details={"hold": hold.pk, "reason": hold.lift_reason},
    )
    return hold


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
