"""Tracing use-cases: register a case, trace it, act on its exposures. Each writes its audit event."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_read_case, can_read_person, can_trace, home_commune, require
from qrtrace.audit.services import audit_event_create
from qrtrace.lib import background
from qrtrace.lib.errors import Conflict
from qrtrace.people.identity import Identity, identity_parse, normalize_name
from qrtrace.people.models import Person
from qrtrace.people.selectors import person_by_phone
from qrtrace.people.services import person_find_or_create

from . import tasks
from .alerts import alerts_draft
from .engine import trace_from_database
from .models import (
    OPEN_EXPOSURE_STATUSES,
    AlertStatus,
    Case,
    CaseStatus,
    Exposure,
    ExposureStatus,
    Level,
    TimelinePlace,
    TraceJob,
    VenueAlert,
)
from .notify import exposure_messages_cancel, exposures_notify, notifications_pending
from .rules import CaseFacts, Found, Rules, TraceResult

# The columns a re-trace refreshes on an exposure it found before.
_TRACED_FIELDS = [
    "level",
    "source_person_id",
    "venue_id",
    "overlap_start",
    "overlap_end",
    "overlap_minutes",
    "evidence",
    "rule_version",
    "updated_at",
]
# Clocks of phones and laptops drift; a confirmation "a minute from now" is not an error.
_CLOCK_SKEW = timedelta(minutes=5)
# No case record predates this; a year-1 date is a typing or client error.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TraceSummary:
    f1_count: int
    f2_count: int
    rule_version: str


def _phone(phone: str) -> str:
    return identity_parse(full_name="", phone=phone).phone


def _new_person(*, phone: str, full_name: str, commune_code: int | None) -> tuple[Person, bool]:
    """A person not known yet: (person, True); (person, False) if someone recorded them a moment ago."""
    if not full_name.strip():
        raise ValidationError({"full_name": [_("Enter the full name of a person not yet known.")]})
    identity = Identity(full_name=normalize_name(full_name), phone=phone, commune_id=commune_code)
    return person_find_or_create(identity=identity)


def _person_for_case(*, actor: User, phone: str, full_name: str, commune_code: int | None) -> Person:
    phone = _phone(phone)
    # The commune asked for is checked before the phone is looked up, and every refusal reads the same,
    # known phone or not: two answers would let any tracer (another province's office too) ask whether a
    # phone has ever checked in.
    outside = _("This commune is outside your area.")
    if commune_code is not None:
        require(can_read_person, actor, commune_code, message=outside)
    person = person_by_phone(phone)
    if person is None:
        # A station need not repeat its own commune: a person it records first is taken to live there.
        commune_code = commune_code or home_commune(actor)
        person, created = _new_person(phone=phone, full_name=full_name, commune_code=commune_code)
        if created:
            return person
    require(can_read_person, actor, person.commune_id, message=outside)
    return person


def _check_times(
    confirmed_at: datetime, symptom_onset: datetime | None, isolated_at: datetime | None
) -> None:
    latest = timezone.now() + _CLOCK_SKEW
    errors = {}
    for name, value in (("confirmed_at", confirmed_at), ("symptom_onset", symptom_onset)):
        if value is not None and value > latest:
            errors[name] = [_("This time is in the future.")]
    times = (("confirmed_at", confirmed_at), ("symptom_onset", symptom_onset), ("isolated_at", isolated_at))
    for name, value in times:
        # Also keeps the date arithmetic below from running off the calendar (year 1 minus 30 days).
        if value is not None and value < _EARLIEST:
            errors[name] = [_("This time is too far in the past.")]
    if errors:
        raise ValidationError(errors)
    if isolated_at is not None and isolated_at < (symptom_onset or confirmed_at) - timedelta(days=30):
        errors["isolated_at"] = [_("Isolation cannot start a month before the onset or confirmation.")]
    if symptom_onset is not None and symptom_onset < confirmed_at - timedelta(days=60):
        errors["symptom_onset"] = [_("Symptom onset cannot be two months before the confirmation.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_register(
    *,
    actor: User,
    phone: str,
    full_name: str = "",
    confirmed_at: datetime,
    symptom_onset: datetime | None = None,
    isolated_at: datetime | None = None,
    test_type: str = "pcr",
    treated_at_place: str = "",
    notes: str = "",
    commune_code: int | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Register a confirmed case (F0); the person's open exposures become "became a case"."""
    require(can_trace, actor)
    _check_times(confirmed_at, symptom_onset, isolated_at)
    person = _person_for_case(actor=actor, phone=phone, full_name=full_name, commune_code=commune_code)
    if Case.objects.filter(person=person, status=CaseStatus.ACTIVE).exists():
        raise Conflict(_("This person is already an active case."))
    try:
        with transaction.atomic():
            case = Case.objects.create(
                person=person,
                confirmed_at=confirmed_at,
                symptom_onset=symptom_onset,
                isolated_at=isolated_at,
                test_type=test_type,
                treated_at_place=treated_at_place,
                notes=notes,
                registered_by=actor,
            )
    except IntegrityError:  # registered by someone else at the same moment
        raise Conflict(_("This person is already an active case.")) from None
    became_case = Exposure.objects.filter(person=person, status__in=OPEN_EXPOSURE_STATUSES)
    exposure_messages_cancel(became_case)
    became_case.update(
        status=ExposureStatus.BECAME_CASE, status_reason=f"case {case.pk}", updated_at=timezone.now()
    )
    audit_event_create(
        actor=actor,
        action="create",
        object_type="case",
        object_id=case.pk,
        purpose="case registration",
        request=request,
        person_ids=[person.pk],
    )
    trace_job_enqueue(case=case, reason="registered")
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: User,
    status: str,
    isolated_at: datetime | None,
    treated_at_place: str,
    notes: str,
    request: HttpRequest | None = None,
) -> Case:
    """Record the case's course. A new isolation time changes the window, so the case is traced again;
    a discarded case (a false positive) closes its contacts and retracts its venue alerts."""
    require(can_read_case, actor, case.person.commune_id)
    if status not in CaseStatus.values:
        raise ValidationError({"status": [_("Unknown case status.")]})
    _check_times(case.confirmed_at, case.symptom_onset, isolated_at)
    window_changed = isolated_at != case.isolated_at
    if status == CaseStatus.ACTIVE:
        case.closed_at = None
    elif case.status == CaseStatus.ACTIVE:  # closing now: the tracing data's retention starts
        case.closed_at = timezone.now()
    case.status, case.isolated_at = status, isolated_at
    case.treated_at_place, case.notes = treated_at_place.strip()[:200], notes.strip()
    try:
        with transaction.atomic():
            case.save(update_fields=["status", "closed_at", "isolated_at", "treated_at_place", "notes"])
    except IntegrityError:  # made active again while another case of the person is active
        raise Conflict(_("This person is already an active case.")) from None
    if status == CaseStatus.DISCARDED:
        closed = Exposure.objects.filter(case=case, status__in=OPEN_EXPOSURE_STATUSES)
        exposure_messages_cancel(closed)
        closed.update(status=ExposureStatus.CLOSED, status_reason="case discarded", updated_at=timezone.now())
        VenueAlert.objects.filter(case=case).exclude(status=AlertStatus.RETRACTED).update(
            status=AlertStatus.RETRACTED, changed_by=actor, updated_at=timezone.now()
        )
    elif window_changed:
        trace_job_enqueue(case=case, reason="isolation changed")
    audit_event_create(
        actor=actor,
        action="update",
        object_type="case",
        object_id=case.pk,
        purpose="case follow-up",
        request=request,
        person_ids=[case.person_id],
        details={"status": status},
    )
    return case


def _evidence(found: Found) -> list[dict]:
    return [
        {
            "source_person_id": c.source_person_id,
            "source_checkin_id": c.source_visit_id,
            "checkin_id": c.visit_id,
            "venue_id": c.venue_id,
            "start": c.start.isoformat(),
            "end": c.end.isoformat(),
            "minutes": c.minutes,
        }
        for c in found.contacts
    ]


def _store(case: Case, result: TraceResult, version: str) -> None:
    found = {**result.f2, **result.f1}
    existing = {e.person_id: e for e in Exposure.objects.filter(case=case)}
    active_cases = set(
        Case.objects.filter(person_id__in=found, status=CaseStatus.ACTIVE).values_list("person_id", flat=True)
    )
    create, update = [], []
    now = timezone.now()
    for person_id, item in found.items():
        contact = item.primary
        fields = {
            "level": item.level,
            "source_person_id": contact.source_person_id,
            "venue_id": contact.venue_id,
            "overlap_start": contact.start,
            "overlap_end": contact.end,
            "overlap_minutes": contact.minutes,
            "evidence": _evidence(item),
            "rule_version": version,
            "updated_at": now,
        }
        exposure = existing.get(person_id)
        if exposure is None:
            status = ExposureStatus.BECAME_CASE if person_id in active_cases else ExposureStatus.NEW
            create.append(Exposure(case=case, person_id=person_id, status=status, **fields))
        elif not exposure.manual:
            for name, value in fields.items():
                setattr(exposure, name, value)
            update.append(exposure)
    Exposure.objects.bulk_create(create, batch_size=1000)
    Exposure.objects.bulk_update(update, _TRACED_FIELDS, batch_size=1000)
    # Computed exposures the data no longer supports (a corrected check-out) are closed, not deleted:
    # someone may already have been called. A message not yet sent to them is withdrawn.
    unsupported = Exposure.objects.filter(case=case, manual=False, status__in=OPEN_EXPOSURE_STATUSES).exclude(
        person_id__in=found
    )
    exposure_messages_cancel(unsupported)
    unsupported.update(status=ExposureStatus.CLOSED, status_reason=f"not found by {version}", updated_at=now)


@transaction.atomic
def case_trace(*, case: Case, actor: User | None, request: HttpRequest | None = None) -> TraceSummary:
    """Compute the case's F1 and F2 now. Idempotent: the same data, rules and window give the same
    rows. Nobody is messaged: an official reviews the lists first (`case_notifications_confirm`)."""
    if actor is not None:
        require(can_read_case, actor, case.person.commune_id)
    # One trace of a case at a time (an official's click and the worker): the second waits, then
    # finds the first one's rows and updates them instead of colliding on the unique constraint.
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
    rules = Rules.from_settings()
    now = timezone.now()
    facts = CaseFacts(case.person_id, case.confirmed_at, case.symptom_onset, case.isolated_at, now=now)
    result = trace_from_database(facts, rules)
    _store(case, result, rules.version)
    alerts_draft(case=case, case_visits=result.case_visits, rules=rules, until=result.window[1])
    case.traced_at = now
    case.rule_version = rules.version
    case.save(update_fields=["traced_at", "rule_version"])
    audit_event_create(
        actor=actor,
        action="trace",
        object_type="case",
        object_id=case.pk,
        purpose="contact tracing",
        request=request,
        # What the lists rest on: the rules, and a window that ran to the trace's moment when the
        # case was not yet isolated.
        details={
            "f1": len(result.f1),
            "f2": len(result.f2),
            "rule_version": rules.version,
            "window_end": result.window[1].isoformat(),
            "isolated": case.isolated_at is not None,
        },
    )
    return TraceSummary(len(result.f1), len(result.f2), rules.version)


@transaction.atomic
def case_notifications_confirm(
    *,
    case: Case,
    actor: User,
    expected: dict[str, int] | None = None,
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """An official sends the exposure SMS of the case after reviewing them: every current contact
    not yet told, F1 before F2. `expected` holds the counts per level the official saw; if the lists
    changed since (a re-trace, a dismissal), nothing is sent and they review again. Returns how many
    were queued per level."""
    require(can_read_case, actor, case.person.commune_id)
    # One confirmation of a case at a time: a double click queues nothing twice.
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
    pending = notifications_pending(case=case)
    counts = {level: len(exposures) for level, exposures in pending.items()}
    if expected is not None and expected != counts:
        raise Conflict(_("The list of people to message changed since you reviewed it: review it again."))
    chosen = [exposure for exposures in pending.values() for exposure in exposures]
    if not chosen:
        raise ValidationError(_("Nobody is waiting for a message about this case."))
    exposures_notify(case=case, exposures=chosen)
    audit_event_create(
        actor=actor,
        action="notify_contacts",
        object_type="case",
        object_id=case.pk,
        purpose="contact tracing",
        request=request,
        person_ids=[e.person_id for e in chosen],
        details=counts,
    )
    return counts


def trace_job_enqueue(*, case: Case, reason: str) -> None:
    """Queue a background re-trace; a case with a job already waiting is not queued twice."""
    try:
        with transaction.atomic():
            job = TraceJob.objects.create(case=case, reason=reason)
    except IntegrityError:
        return  # the waiting job will read this change too
    background.enqueue_on_commit(tasks.trace_case, job_id=job.pk)


def trace_jobs_enqueue(*, case_ids: list[int], reason: str) -> None:
    """`trace_job_enqueue` for many cases: those with a job already waiting are read in one statement
    and skipped, instead of each failing its INSERT in a savepoint of its own (a gate's batch of late
    visits touches every active case near it, and most have a job waiting already). A job seen
    waiting here has not started, so its run reads whatever was committed before this read."""
    waiting = set(
        TraceJob.objects.filter(case_id__in=case_ids, started_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    for case_id in case_ids:
        if case_id not in waiting:
            trace_job_enqueue(case=Case(pk=case_id), reason=reason)


def trace_job_run(*, job_id: int) -> bool:
    """Run one queued re-trace (the `trace_case` task); False if it was done already.

    The job is marked started in a commit of its own first, so a late check-in arriving while the case
    is traced queues a new job instead of being folded into a run that may already have read the
    check-ins. The trace and the job's "done" commit together: a run cut short is simply run again.
    """
    if not TraceJob.objects.filter(pk=job_id, done_at__isnull=True).update(started_at=timezone.now()):
        return False
    job = TraceJob.objects.select_related("case").get(pk=job_id)
    with transaction.atomic():
        case_trace(case=job.case, actor=None)
        TraceJob.objects.filter(pk=job_id).update(done_at=timezone.now())
    return True


@transaction.atomic
def exposure_add_manual(
    *,
    case: Case,
    phone: str,
    full_name: str = "",
    level: str,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
) -> Exposure:
    """An official adds a contact the check-ins missed (a household member, a colleague). The contact
    may live anywhere: their own commune then sees them among its exposed residents."""
    require(can_read_case, actor, case.person.commune_id)
    if level not in Level.values:
        raise ValidationError({"level": [_("Choose F1 or F2.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say how this person was in contact.")]})
    phone = _phone(phone)
    person = (
        person_by_phone(phone)
        or _new_person(phone=phone, full_name=full_name, commune_code=home_commune(actor))[0]
    )
    if person.pk == case.person_id:
        raise ValidationError(_("The case cannot be their own contact."))
    exposure, created = Exposure.objects.get_or_create(
        case=case,
        person=person,
        defaults={
            "level": level,
            "source_person_id": case.person_id,
            "manual": True,
            "status_reason": reason.strip()[:300],
        },
    )
    if not created:
        raise Conflict(_("This person is already listed for this case."))
    audit_event_create(
        actor=actor,
        action="add_contact",
        object_type="case",
        object_id=case.pk,
        purpose=reason.strip(),
        request=request,
        person_ids=[person.pk],
    )
    return exposure


@transaction.atomic
def exposure_dismiss(
    *, exposure: Exposure, actor: User, reason: str, request: HttpRequest | None = None
) -> None:
    require(can_read_case, actor, exposure.case.person.commune_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why this contact is dismissed.")]})
    exposure_messages_cancel(Exposure.objects.filter(pk=exposure.pk))
    exposure.status = ExposureStatus.DISMISSED
    exposure.status_reason = reason.strip()[:300]
    exposure.save(update_fields=["status", "status_reason", "updated_at"])
    audit_event_create(
        actor=actor,
        action="dismiss_contact",
        object_type="case",
        object_id=exposure.case_id,
        purpose=exposure.status_reason,
        request=request,
        person_ids=[exposure.person_id],
    )


@transaction.atomic
def exposure_select_for_followup(
    *, case: Case, exposure_ids: list[int], actor: User, request: HttpRequest | None = None
) -> list[Exposure]:
    """Hand the chosen contacts over for follow-up (the quarantine module takes them from here)."""
    require(can_read_case, actor, case.person.commune_id)
    chosen = list(
        Exposure.objects.select_for_update()
        .filter(case=case, pk__in=exposure_ids, status__in=OPEN_EXPOSURE_STATUSES)
        .order_by("pk")
    )
    if not chosen:
        raise ValidationError(_("Choose at least one open contact."))
    now = timezone.now()
    for exposure in chosen:
        exposure.selected_for_followup_at = exposure.selected_for_followup_at or now
    Exposure.objects.bulk_update(chosen, ["selected_for_followup_at"])
    audit_event_create(
        actor=actor,
        action="select_followup",
        object_type="case",
        object_id=case.pk,
        purpose="follow-up of contacts",
        request=request,
        person_ids=[e.person_id for e in chosen],
    )
    return chosen


@transaction.atomic
def timeline_place_add(
    *,
    case: Case,
    actor: User,
    place: str,
    address: str,
    started_at: datetime,
    ended_at: datetime | None,
    request: HttpRequest | None = None,
) -> TimelinePlace:
    require(can_read_case, actor, case.person.commune_id)
    if ended_at is not None and ended_at < started_at:
        raise ValidationError({"ended_at": [_("The end is before the start.")]})
    added = TimelinePlace.objects.create(
        case=case, place=place, address=address, started_at=started_at, ended_at=ended_at, added_by=actor
    )
    audit_event_create(
        actor=actor, action="add_place", object_type="case", object_id=case.pk, request=request
    )
    return added


@transaction.atomic
def exposures_mark_quarantined(*, person_ids: list[int]) -> int:
    """The quarantine app ordered these people into quarantine: their open contacts say so."""
    return Exposure.objects.filter(
        person_id__in=person_ids, status__in=[ExposureStatus.NEW, ExposureStatus.NOTIFIED]
    ).update(status=ExposureStatus.QUARANTINED, updated_at=timezone.now())


@transaction.atomic
def exposure_add_person(
    *, case: Case, person: Person, level: str, actor: User, reason: str, request: HttpRequest | None = None
) -> Exposure | None:
    """A known person is a contact of the case (a roommate in a quarantine facility); None if they were
    listed already. Unlike `exposure_add_manual` the person is named, not looked up by phone: they may
    have none of their own."""
    require(can_read_case, actor, case.person.commune_id)
    if person.pk == case.person_id:
        return None
    exposure, created = Exposure.objects.get_or_create(
        case=case,
        person=person,
        defaults={
            "level": level,
            "source_person_id": case.person_id,
            "manual": True,
            "status": ExposureStatus.QUARANTINED,
            "status_reason": reason.strip()[:300],
        },
    )
    if not created:
        return None
    audit_event_create(
        actor=actor,
        action="add_contact",
        object_type="case",
        object_id=case.pk,
        purpose=reason.strip()[:200],
        request=request,
        person_ids=[person.pk],
    )
    return exposure
