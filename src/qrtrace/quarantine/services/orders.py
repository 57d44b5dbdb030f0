"""Ordering quarantine, one person or a case's F1s at once, and changing an order's course."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import (
    can_order_quarantine,
    can_read_case,
    can_read_order,
    can_read_person,
    require,
    require_or_404,
)
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict
from qrtrace.notifications.services import Outgoing, messages_enqueue, messages_enqueue_many
from qrtrace.people.models import Person
from qrtrace.tracing.models import OPEN_EXPOSURE_STATUSES, Case, Exposure, Level
from qrtrace.tracing.services import exposures_mark_quarantined

from ..links import report_url
from ..messages import NO_ORDER
from ..models import (
    OPEN_STATUSES,
    TRANSITIONS,
    EventKind,
    Facility,
    FacilityStatus,
    Kind,
    OrderEvent,
    OrderStatus,
    QuarantineOrder,
    QuarantineTest,
    Reason,
    Sex,
    TestResult,
    Vaccination,
)
from ..policy import Plan, day_date, plan_for, policy_in_force
from .placement import bed_freed, facility_full_message, fitting, free_beds, place

# An order may be back-dated to when the person was actually isolated, or set a little ahead.
_MAX_PAST = timedelta(days=30)
_MAX_AHEAD = timedelta(days=14)


def order_reference(order_id: int) -> str:
    return f"quarantine:{order_id}"


def _sms_body(order: QuarantineOrder) -> str:
    """The order as the person reads it, always in Vietnamese, with their self-report link."""
    with translation.override("vi"):
        where = order.facility.name if order.facility else _("at home")
        last_day = formats.date_format(order.planned_end - timedelta(days=1), "d/m/Y")
        start = formats.date_format(order.start_date, "d/m/Y")
        return _(
            "QRTrace - Health Department: you must quarantine %(where)s from %(start)s to the end of "
            "%(last)s. Report your health every day here: %(link)s"
        ) % {"where": where, "start": start, "last": last_day, "link": report_url(order.pk)}


def _check_dates(start: date) -> None:
    today = timezone.localdate()
    if start < today - _MAX_PAST:
        raise ValidationError({"start_date": [_("The start cannot be more than 30 days ago.")]})
    if start > today + _MAX_AHEAD:
        raise ValidationError({"start_date": [_("The start cannot be more than 14 days ahead.")]})


def _schedule_tests(order: QuarantineOrder, days, test_type: str, *, start: date | None = None) -> None:
    """Tests on the plan's days, counted from `start` (the order's start unless re-exposed later)."""
    base = start or order.start_date
    offset = (base - order.start_date).days
    existing = set(order.tests.values_list("day", flat=True)) if order.pk else set()
    QuarantineTest.objects.bulk_create(
        [
            QuarantineTest(order=order, day=day + offset, due_on=day_date(base, day), test_type=test_type)
            for day in days
            if day + offset not in existing
        ]
    )


def _validate_reason(*, reason: str, reason_text: str, vaccination: str) -> None:
    errors = {}
    if reason not in Reason.values:
        errors["reason"] = [_("Unknown reason.")]
    if reason == Reason.OTHER and not reason_text.strip():
        errors["reason_text"] = [_("Say why this person must quarantine.")]
    if vaccination not in Vaccination.values:
        errors["vaccination"] = [_("Unknown vaccination status.")]
    if errors:
        raise ValidationError(errors)


def _validate_place(*, kind: str, plan: Plan, address: str, facility: Facility | None) -> None:
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose a facility or home.")]
    elif kind == Kind.FACILITY and facility is None:
        errors["facility"] = [_("Choose the facility.")]
    elif kind == Kind.HOME:
        if not plan.home_allowed:
            errors["kind"] = [_("The policy in force does not allow quarantine at home for this person.")]
        if not address.strip():
            errors["address"] = [_("Give the address where the person quarantines.")]
    if errors:
        raise ValidationError(errors)


def _new_order(
    *,
    actor,
    person,
    reason,
    vaccination,
    kind,
    start_date,
    plan,
    facility,
    address,
    reason_text,
    exposure,
    case,
    bed=None,
    sex="",
    cohort="",
) -> QuarantineOrder:
    return QuarantineOrder(
        person=person,
        reason=reason,
        reason_text=reason_text.strip()[:300],
        exposure=exposure,
        case=case or (exposure.case if exposure else None),
        vaccination=vaccination,
        kind=kind,
        facility=facility if kind == Kind.FACILITY else None,
        address=address.strip()[:300] if kind == Kind.HOME else "",
        sex=sex,
        cohort=cohort.strip()[:60],
        commune_id=person.commune_id,
        start_date=start_date,
        planned_end=plan.planned_end,
        monitoring_days=plan.monitoring_days,
        test_days=list(plan.test_days),
        checks_per_day=plan.checks_per_day,
        policy=plan.policy,
        # At home the quarantine runs from the order; a facility's begins when the person arrives.
        status=OrderStatus.IN_QUARANTINE if kind == Kind.HOME else OrderStatus.ORDERED,
        ordered_by=actor,
        bed=bed,
    )


def _create(
    *, actor: User, person: Person, plan: Plan, override_reason: str = "", request=None, **fields
) -> QuarantineOrder:
    """One order (the fields of `_new_order`), placed in a bed when at a facility, with its tests."""
    if QuarantineOrder.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise Conflict(_("%(name)s already has an open quarantine order.") % {"name": person.full_name})
    order = _new_order(actor=actor, person=person, plan=plan, **fields)
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:  # ordered by someone else at the same moment
        raise Conflict(
            _("%(name)s already has an open quarantine order.") % {"name": person.full_name}
        ) from None
    if order.kind == Kind.FACILITY:
        place(order, order.facility, actor, override_reason=override_reason, request=request)
    _schedule_tests(order, plan.test_days, plan.test_type)
    OrderEvent.objects.create(
        order=order,
        kind=EventKind.CREATE,
        by=actor,
        details={"policy": plan.policy.version, "planned_end": order.planned_end.isoformat()},
    )
    return order


@transaction.atomic
def order_create(
    *,
    actor: User,
    person: Person,
    reason: str,
    vaccination: str,
    kind: str,
    start_date: date | None = None,
    facility: Facility | None = None,
    address: str = "",
    reason_text: str = "",
    exposure: Exposure | None = None,
    case: Case | None = None,
    sex: str = "",
    cohort: str = "",
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> QuarantineOrder:
    """Order one person into quarantine under the policy in force on the start date; they get an SMS
    with the order and their self-report link. 409 if they already have an open order, or if the
    facility has no free bed whose room takes their sex and cohort (unless `override_reason`)."""
    require(can_order_quarantine, actor)
    require(can_read_person, actor, person.commune_id)
    start_date = start_date or timezone.localdate()
    _check_dates(start_date)
    _validate_reason(reason=reason, reason_text=reason_text, vaccination=vaccination)
    plan = plan_for(
        policy=policy_in_force(start_date), reason=reason, vaccination=vaccination, start=start_date
    )
    _validate_place(kind=kind, plan=plan, address=address, facility=facility)
    if sex not in Sex.values:
        raise ValidationError({"sex": [_("Unknown value.")]})
    order = _create(
        actor=actor,
        person=person,
        reason=reason,
        vaccination=vaccination,
        kind=kind,
        start_date=start_date,
        plan=plan,
        facility=facility,
        address=address,
        reason_text=reason_text,
        exposure=exposure,
        case=case,
        sex=sex,
        cohort=cohort,
        override_reason=override_reason,
        request=request,
    )
    exposures_mark_quarantined(person_ids=[person.pk])
    messages_enqueue(
        reference=order_reference(order.pk), outgoing=[Outgoing(person=person, body=_sms_body(order))]
    )
    audit_event_create(
        actor=actor,
        action="create",
        object_type="quarantine_order",
        object_id=order.pk,
        purpose="quarantine order",
        request=request,
        person_ids=[person.pk],
    )
    return order


@dataclass
class BulkResult:
    created: list[QuarantineOrder] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (full name, why)


@transaction.atomic
def orders_create_for_case(
    *,
    actor: User,
    case: Case,
    exposure_ids: list[int] | None,
    kind: str,
    vaccination: str = Vaccination.NONE,
    facility: Facility | None = None,
    start_date: date | None = None,
    cohort: str = "",
    request: HttpRequest | None = None,
) -> BulkResult:
    """Order the chosen open F1 of a case (all of them when `exposure_ids` is None) into quarantine.
    At home, each person's address is their commune (the station completes it); one who cannot be
    ordered (an open order already, a full facility) is listed with the reason, the others go ahead.
    At a facility they get beds in rooms for any sex (their sex is not known here) and for `cohort`
    or no cohort."""
    require(can_order_quarantine, actor)
    require(can_read_case, actor, case.person.commune_id)
    start_date = start_date or timezone.localdate()
    _check_dates(start_date)
    policy = policy_in_force(start_date)
    _validate_reason(reason=Reason.F1, reason_text="", vaccination=vaccination)
    plan = plan_for(policy=policy, reason=Reason.F1, vaccination=vaccination, start=start_date)
    _validate_place(kind=kind, plan=plan, address="-", facility=facility)
    exposures = Exposure.objects.filter(case=case, level=Level.F1, status__in=OPEN_EXPOSURE_STATUSES)
    if exposure_ids is not None:
        exposures = exposures.filter(pk__in=exposure_ids)
    exposures = list(exposures.select_related("person", "person__commune", "person__guardian").order_by("pk"))
    if not exposures:
        raise ValidationError(_("Choose at least one open F1 of this case."))
    result = BulkResult()
    already = set(
        QuarantineOrder.objects.filter(
            person_id__in=[e.person_id for e in exposures], status__in=OPEN_STATUSES
        ).values_list("person_id", flat=True)
    )
    chosen = []
    for exposure in exposures:
        person = exposure.person
        if person.pk in already:
            result.refused.append((person.full_name, _("already has an open quarantine order")))
        elif not can_read_person(actor, person.commune_id):
            result.refused.append((person.full_name, _("lives outside your area")))
        else:
            already.add(person.pk)
            chosen.append(exposure)
    beds = []
    if kind == Kind.FACILITY and chosen:
        beds = _free_beds_locked(facility, len(chosen), cohort=cohort.strip())
        if len(beds) < len(chosen):
            why = facility_full_message(facility)
            if free_beds(facility).count() > len(beds):  # the other free beds are kept for a sex or cohort
                why = _(
                    "the free beds left in %(facility)s are in rooms for one sex or another cohort: "
                    "order this person on their own, with their sex"
                ) % {"facility": facility.name}
            result.refused += [(exposure.person.full_name, why) for exposure in chosen[len(beds) :]]
        chosen = chosen[: len(beds)]
    orders = [
        _new_order(
            actor=actor,
            person=exposure.person,
            reason=Reason.F1,
            vaccination=vaccination,
            kind=kind,
            start_date=start_date,
            plan=plan,
            facility=facility,
            address=(exposure.person.commune.name if exposure.person.commune else "") or "-",
            reason_text="",
            exposure=exposure,
            case=case,
            bed=bed,
            cohort=cohort,
        )
        for exposure, bed in zip(chosen, beds or [None] * len(chosen), strict=True)
    ]
    try:
        with transaction.atomic():
            QuarantineOrder.objects.bulk_create(orders, batch_size=500)
    except IntegrityError:  # someone ordered one of them a moment ago: the slow path, one by one
        return _create_one_by_one(
            actor=actor,
            case=case,
            exposures=chosen,
            kind=kind,
            vaccination=vaccination,
            facility=facility,
            start_date=start_date,
            plan=plan,
            result=result,
            cohort=cohort,
            request=request,
        )
    if kind == Kind.FACILITY and not free_beds(facility).exists():
        Facility.objects.filter(pk=facility.pk).update(status=FacilityStatus.FULL)
    _after_create(orders, plan=plan, actor=actor)
    result.created = orders
    _notify_and_audit(actor=actor, case=case, result=result, request=request)
    return result


def _free_beds_locked(facility: Facility, wanted: int, *, cohort: str) -> list:
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    if locked.status == FacilityStatus.CLOSED:
        raise ValidationError({"facility": [_("%(facility)s is closed.") % {"facility": facility.name}]})
    return list(fitting(free_beds(locked), sex="", cohort=cohort)[:wanted])


def _after_create(orders: list[QuarantineOrder], *, plan: Plan, actor: User) -> None:
    """Tests, history rows and placements of orders just created together."""
    QuarantineTest.objects.bulk_create(
        [
            QuarantineTest(order=o, day=day, due_on=day_date(o.start_date, day), test_type=plan.test_type)
            for o in orders
            for day in plan.test_days
        ],
        batch_size=1000,
    )
    details = {"policy": plan.policy.version, "planned_end": plan.planned_end.isoformat()}
    events = [OrderEvent(order=o, kind=EventKind.CREATE, by=actor, details=details) for o in orders]
    events += [
        OrderEvent(
            order=o, kind=EventKind.PLACE, by=actor, details={"facility": o.facility.code, "bed": str(o.bed)}
        )
        for o in orders
        if o.bed is not None
    ]
    OrderEvent.objects.bulk_create(events, batch_size=1000)


def _notify_and_audit(*, actor: User, case: Case, result: BulkResult, request) -> None:
    people = [order.person_id for order in result.created]
    exposures_mark_quarantined(person_ids=people)
    messages_enqueue_many(
        items=[(order_reference(o.pk), Outgoing(person=o.person, body=_sms_body(o))) for o in result.created]
    )
    audit_event_create(
        actor=actor,
        action="create",
        object_type="quarantine_order",
        object_id=f"case:{case.pk}",
        purpose="quarantine orders for the F1 of a case",
        request=request,
        person_ids=people,
        details={"created": len(people), "refused": len(result.refused)},
    )


def _create_one_by_one(
    *, actor, case, exposures, kind, vaccination, facility, start_date, plan, result, cohort, request
):
    for exposure in exposures:
        person = exposure.person
        address = (person.commune.name if person.commune else "") or "-"
        try:
            with transaction.atomic():
                order = _create(
                    actor=actor,
                    person=person,
                    reason=Reason.F1,
                    vaccination=vaccination,
                    kind=kind,
                    start_date=start_date,
                    plan=plan,
                    facility=facility,
                    address=address,
                    reason_text="",
                    exposure=exposure,
                    case=case,
                    cohort=cohort,
                )
        except (ValidationError, Conflict) as error:
            why = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            result.refused.append((person.full_name, why))
            continue
        result.created.append(order)
    _notify_and_audit(actor=actor, case=case, result=result, request=request)
    return result


def _locked(order: QuarantineOrder, actor: User) -> QuarantineOrder:
    require_or_404(can_read_order, actor, order, message=NO_ORDER)
    locked = (
        QuarantineOrder.objects.select_for_update(of=("self",))
        .select_related("facility", "person")
        .get(pk=order.pk)
    )
    return locked


def _audit(order: QuarantineOrder, actor: User | None, action: str, request, **details) -> None:
    audit_event_create(
        actor=actor,
        action=action,
        object_type="quarantine_order",
        object_id=order.pk,
        purpose="quarantine follow-up",
        request=request,
        person_ids=[order.person_id],
        details=details,
    )


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why.")]})
    return reason.strip()[:300]


def _require_open(order: QuarantineOrder) -> None:
    if not order.is_open:
        raise ValidationError(_("This order is closed: %(status)s.") % {"status": order.get_status_display()})


@transaction.atomic
def order_start(
    *, order: QuarantineOrder, actor: User, request: HttpRequest | None = None
) -> QuarantineOrder:
    """The person arrived at the facility (or began at home)."""
    order = _locked(order, actor)
    if order.status != OrderStatus.ORDERED:
        raise ValidationError(_("This order has started already or is closed."))
    order.status = OrderStatus.IN_QUARANTINE
    order.save(update_fields=["status", "updated_at"])
    OrderEvent.objects.create(order=order, kind=EventKind.START, by=actor)
    _audit(order, actor, "start", request)
    return order


@transaction.atomic
def order_extend(
    *, order: QuarantineOrder, actor: User, planned_end: date, reason: str, request: HttpRequest | None = None
) -> QuarantineOrder:
    """Move the planned end later (extend) or earlier (shorten), with a reason. Tests the new end
    leaves out are dropped if still pending."""
    order = _locked(order, actor)
    _require_open(order)
    reason = _require_reason(reason)
    if planned_end < order.start_date:
        raise ValidationError({"planned_end": [_("The end is before the start.")]})
    if planned_end == order.planned_end:
        raise ValidationError({"planned_end": [_("This is the planned end already.")]})
    kind = EventKind.EXTEND if planned_end > order.planned_end else EventKind.SHORTEN
    before = order.planned_end
    order.planned_end = planned_end
    order.save(update_fields=["planned_end", "updated_at"])
    order.tests.filter(result=TestResult.PENDING, due_on__gte=planned_end).delete()
    OrderEvent.objects.create(
        order=order,
        kind=kind,
        by=actor,
        reason=reason,
        details={"from": before.isoformat(), "to": planned_end.isoformat()},
    )
    _audit(order, actor, kind, request)
    return order


def _close(order: QuarantineOrder, status: str, *, actor: User | None, reason: str, kind: str) -> None:
    if status not in TRANSITIONS.get(order.status, ()):
        raise ValidationError(
            _("This order cannot become %(status)s now.") % {"status": OrderStatus(status).label}
        )
    order.status, order.end_reason, order.ended_on = status, reason, timezone.localdate()
    order.save(update_fields=["status", "end_reason", "ended_on", "updated_at"])
    order.tests.filter(result=TestResult.PENDING).delete()
    OrderEvent.objects.create(order=order, kind=kind, by=actor, reason=reason, details={"status": status})
    bed_freed(order)


END_STATUSES = (OrderStatus.ENDED_EARLY, OrderStatus.ABSCONDED)


@transaction.atomic
def order_end(
    *, order: QuarantineOrder, actor: User, status: str, reason: str, request: HttpRequest | None = None
) -> QuarantineOrder:
    """End an order before its release: ended early (with the reason) or absconded."""
    order = _locked(order, actor)
    if status not in END_STATUSES:
        raise ValidationError({"status": [_("Choose ended early or absconded.")]})
    _require_open(order)
    _close(order, status, actor=actor, reason=_require_reason(reason), kind=EventKind.END)
    _audit(order, actor, "end", request, status=status)
    return order


def issuing_unit(order: QuarantineOrder) -> str:
    """Who issues the certificate by default: a facility's managing unit; for home quarantine, the
    health station of the person's commune."""
    if order.facility is not None:
        return order.facility.managing_unit
    if order.commune is None:
        return ""
    with translation.override("vi"):
        return _("Health station of %(commune)s") % {"commune": order.commune.name}


def certificate_number(order: QuarantineOrder) -> str:
    return f"GXN-{order.planned_end:%Y}-{order.pk:06d}"


@transaction.atomic
def order_release(
    *, order: QuarantineOrder, actor: User, unit: str = "", request: HttpRequest | None = None
) -> QuarantineOrder:
    """Complete an order on or after its planned end, with its tests done and negative, and issue the
    release certificate (numbered, by the facility's managing unit or the given unit)."""
    order = _locked(order, actor)
    _require_open(order)
    if order.status != OrderStatus.IN_QUARANTINE:
        raise ValidationError(_("The person has not started quarantine."))
    if timezone.localdate() < order.planned_end:
        raise ValidationError(
            _("The planned end is %(day)s: to release earlier, end the order early with a reason.")
            % {"day": formats.date_format(order.planned_end, "d/m/Y")}
        )
    pending = list(order.tests.filter(result=TestResult.PENDING).values_list("day", flat=True))
    if pending:
        raise ValidationError(
            _("The test of day %(days)s has no result yet.") % {"days": ", ".join(str(d) for d in pending)}
        )
    unit = unit.strip()[:200] or issuing_unit(order)
    if not unit:
        raise ValidationError({"unit": [_("Name the unit issuing the certificate.")]})
    _close(order, OrderStatus.COMPLETED, actor=actor, reason="", kind=EventKind.RELEASE)
    order.certificate_number = certificate_number(order)
    order.certificate_unit = unit
    order.certificate_issued_at = timezone.now()
    order.save(update_fields=["certificate_number", "certificate_unit", "certificate_issued_at"])
    _audit(order, actor, "release", request)
    return order


@transaction.atomic
def order_certificate_revoke(
    *, order: QuarantineOrder, actor: User, reason: str, request: HttpRequest | None = None
) -> QuarantineOrder:
    order = _locked(order, actor)
    if order.certificate_number is None or order.certificate_revoked_at is not None:
        raise ValidationError(_("This order has no valid certificate."))
    order.certificate_revoked_at = timezone.now()
    order.save(update_fields=["certificate_revoked_at"])
    OrderEvent.objects.create(order=order, kind=EventKind.REVOKE, by=actor, reason=_require_reason(reason))
    _audit(order, actor, "revoke_certificate", request)
    return order


@transaction.atomic
def order_transfer(
    *,
    order: QuarantineOrder,
    actor: User,
    kind: str,
    reason: str,
    facility: Facility | None = None,
    address: str = "",
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> QuarantineOrder:
    """Move the quarantine elsewhere (home ↔ facility, facility → facility): the order ends
    "transferred" and a new one carries on with the same dates and its pending tests. The new bed
    follows the room rules (409 unless `override_reason`)."""
    order = _locked(order, actor)
    _require_open(order)
    reason = _require_reason(reason)
    if kind == Kind.FACILITY and facility is None:
        raise ValidationError({"facility": [_("Choose the facility.")]})
    if kind == Kind.HOME and not address.strip():
        raise ValidationError({"address": [_("Give the address where the person quarantines.")]})
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Choose a facility or home.")]})
    if kind == Kind.FACILITY and facility.pk == order.facility_id:
        raise ValidationError({"facility": [_("The person is in this facility already.")]})
    _close(order, OrderStatus.TRANSFERRED, actor=actor, reason=reason, kind=EventKind.TRANSFER)
    new = QuarantineOrder.objects.create(
        person=order.person,
        reason=order.reason,
        reason_text=order.reason_text,
        exposure=order.exposure,
        case=order.case,
        vaccination=order.vaccination,
        kind=kind,
        facility=facility if kind == Kind.FACILITY else None,
        address=address.strip()[:300] if kind == Kind.HOME else "",
        sex=order.sex,
        cohort=order.cohort,
        commune_id=order.commune_id,
        start_date=order.start_date,
        planned_end=order.planned_end,
        monitoring_days=order.monitoring_days,
        test_days=order.test_days,
        checks_per_day=order.checks_per_day,
        policy=order.policy,
        status=OrderStatus.IN_QUARANTINE if kind == Kind.HOME else OrderStatus.ORDERED,
        ordered_by=actor,
    )
    if kind == Kind.FACILITY:
        place(new, facility, actor, override_reason=override_reason, request=request)
    plan_days = [d for d in order.test_days if day_date(order.start_date, d) >= timezone.localdate()]
    _schedule_tests(
        new,
        plan_days,
        order.policy.rules.filter(reason=order.reason).values_list("test_type", flat=True).first() or "pcr",
    )
    order.transferred_to = new
    order.save(update_fields=["transferred_to"])
    OrderEvent.objects.create(
        order=new, kind=EventKind.TRANSFER, by=actor, reason=reason, details={"from": order.pk}
    )
    _audit(order, actor, "transfer", request, to=new.pk)
    return new
