"""Daily health checks (by staff or the person's own report), test results one by one or from a
lab's CSV, and a positive result turning the person into a case."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_read_order, can_trace, require, require_or_404
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.cells import safe_cell
from qrtrace.lib.errors import Conflict
from qrtrace.tracing.models import Case, Level, TestType
from qrtrace.tracing.services import case_register, case_trace, exposure_add_person

from ..messages import NO_ORDER
from ..models import (
    OPEN_STATUSES,
    EventKind,
    HealthCheck,
    OrderEvent,
    OrderStatus,
    QuarantineOrder,
    QuarantineTest,
    Slot,
    TestResult,
)
from ..policy import plan_for, policy_in_force
from .orders import _close, _schedule_tests

TEMPERATURE_RED_FLAG = Decimal("38.0")
SPO2_RED_FLAG = 96  # below this


def is_red_flag(*, temperature: Decimal | None, spo2: int | None, breathless: bool) -> bool:
    return (
        breathless
        or (temperature is not None and temperature >= TEMPERATURE_RED_FLAG)
        or (spo2 is not None and spo2 < SPO2_RED_FLAG)
    )


def current_slot(now: datetime | None = None) -> str:
    return Slot.MORNING if timezone.localtime(now).hour < 13 else Slot.EVENING


@transaction.atomic
def check_record(
    *,
    order: QuarantineOrder,
    actor: User | None,
    temperature: Decimal | None,
    spo2: int | None,
    cough: bool = False,
    breathless: bool = False,
    sore_throat: bool = False,
    loss_of_smell: bool = False,
    notes: str = "",
    slot: str | None = None,
    request: HttpRequest | None = None,
) -> HealthCheck:
    """Record a health check of today. `actor` None is the person's own report on their signed link
    (the view has checked the signature)."""
    if actor is not None:
        require_or_404(can_read_order, actor, order, message=NO_ORDER)
    if order.status not in OPEN_STATUSES:
        raise ValidationError(_("This quarantine has ended: no more reports are needed."))
    errors = {}
    if temperature is not None and not Decimal("34") <= temperature <= Decimal("43"):
        errors["temperature"] = [_("A temperature between 34 and 43 °C.")]
    if spo2 is not None and not 50 <= spo2 <= 100:
        errors["spo2"] = [_("SpO2 between 50 and 100 %.")]
    if temperature is None and spo2 is None and not (cough or breathless or sore_throat or loss_of_smell):
        errors["temperature"] = [_("Give the temperature, the SpO2 or a symptom.")]
    slot = slot or current_slot()
    if slot not in Slot.values:
        errors["slot"] = [_("Unknown value.")]
    if errors:
        raise ValidationError(errors)
    check = HealthCheck.objects.create(
        order=order,
        day=timezone.localdate(),
        slot=slot,
        temperature=temperature,
        spo2=spo2,
        cough=cough,
        breathless=breathless,
        sore_throat=sore_throat,
        loss_of_smell=loss_of_smell,
        notes=notes.strip()[:300],
        red_flag=is_red_flag(temperature=temperature, spo2=spo2, breathless=breathless),
        self_reported=actor is None,
        recorded_by=actor,
    )
    if order.status == OrderStatus.ORDERED and actor is None:
        QuarantineOrder.objects.filter(pk=order.pk).update(status=OrderStatus.IN_QUARANTINE)
    audit_event_create(
        actor=actor,
        action="health_check",
        object_type="quarantine_order",
        object_id=order.pk,
        purpose="self-report" if actor is None else "health check",
        request=request,
        person_ids=[order.person_id],
        details={"red_flag": check.red_flag},
    )
    return check


def _test_of(order: QuarantineOrder, day: int | None) -> QuarantineTest:
    tests = order.tests.select_for_update()
    if day is not None:
        test = tests.filter(day=day).first()
        if test is None:
            raise ValidationError({"day": [_("No test is scheduled on day %(day)s.") % {"day": day}]})
        return test
    test = tests.filter(result=TestResult.PENDING).order_by("due_on").first()
    if test is None:
        raise ValidationError({"day": [_("No test is waiting for a result.")]})
    return test


@transaction.atomic
def result_record(
    *,
    order: QuarantineOrder,
    actor: User,
    result: str,
    day: int | None = None,
    test_type: str = TestType.PCR,
    sample_date: date | None = None,
    lab: str = "",
    register_case: bool = False,
    request: HttpRequest | None = None,
) -> QuarantineTest:
    """Record the result of the order's test of `day` (the next pending one when None). A positive one
    with `register_case` registers the person as a case in the same step (`order_became_case`)."""
    require_or_404(can_read_order, actor, order, message=NO_ORDER)
    order = (
        QuarantineOrder.objects.select_for_update(of=("self",))
        .select_related("person", "facility")
        .get(pk=order.pk)
    )
    if not order.is_open:
        raise ValidationError(_("This order is closed: a result cannot be added to it."))
    errors = {}
    if result not in (TestResult.NEGATIVE, TestResult.POSITIVE):
        errors["result"] = [_("Choose negative or positive.")]
    if test_type not in TestType.values:
        errors["test_type"] = [_("Unknown test.")]
    today = timezone.localdate()
    if sample_date is not None and (
        sample_date > today or sample_date < order.start_date - timedelta(days=3)
    ):
        errors["sample_date"] = [_("The sample date must lie between the start of quarantine and today.")]
    if errors:
        raise ValidationError(errors)
    test = _test_of(order, day)
    if test.result != TestResult.PENDING:
        raise Conflict(_("The test of day %(day)s already has a result.") % {"day": test.day})
    test.result, test.test_type = result, test_type
    test.sample_date, test.lab = sample_date or today, lab.strip()[:120]
    test.recorded_by, test.recorded_at = actor, timezone.now()
    test.save()
    audit_event_create(
        actor=actor,
        action="test_result",
        object_type="quarantine_order",
        object_id=order.pk,
        purpose="quarantine test",
        request=request,
        person_ids=[order.person_id],
        details={"day": test.day, "result": result},
    )
    if result == TestResult.POSITIVE and register_case:
        order_became_case(order=order, actor=actor, test=test, request=request)
    return test


@transaction.atomic
def order_became_case(
    *,
    order: QuarantineOrder,
    actor: User,
    test: QuarantineTest | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """A positive test: register the person as a case (tracing's `case_register`), trace it now, end
    the order "became a case", and re-expose the roommates: their orders are extended per the policy
    and they are listed as F1 of the new case."""
    require(can_trace, actor, message=_("Only commune and provincial health officials may register a case."))
    order = (
        QuarantineOrder.objects.select_for_update(of=("self",))
        .select_related("person", "facility", "bed__room")
        .get(pk=order.pk)
    )
    if not order.is_open:
        raise ValidationError(_("This order is closed."))
    person = order.person
    if not person.phone:
        raise ValidationError(
            _("This person has no phone of their own: register the case on the tracing page.")
        )
    test = test or order.tests.filter(result=TestResult.POSITIVE).order_by("-sample_date").first()
    sampled = test.sample_date if test and test.sample_date else timezone.localdate()
    confirmed = min(
        timezone.now(),
        timezone.make_aware(datetime.combine(sampled, datetime.min.time())) + timedelta(hours=12),
    )
    where = order.facility.name if order.facility else order.address
    case = case_register(
        actor=actor,
        phone=person.phone,
        full_name=person.full_name,
        confirmed_at=confirmed,
        isolated_at=confirmed,
        test_type=test.test_type if test else TestType.PCR,
        treated_at_place=where[:200],
        notes=_("Positive test during quarantine order QO-%(order)s.") % {"order": order.pk},
        commune_code=person.commune_id,
        request=request,
    )
    _close(order, OrderStatus.BECAME_CASE, actor=actor, reason=f"case {case.pk}", kind=EventKind.END)
    QuarantineOrder.objects.filter(pk=order.pk).update(case=case)
    if order.bed_id is not None:
        roommates_reexpose(order=order, case=case, actor=actor, request=request)
    case_trace(case=case, actor=actor, request=request)
    return case


def roommates_reexpose(
    *, order: QuarantineOrder, case: Case, actor: User, request=None
) -> list[QuarantineOrder]:
    """Everyone with an open order in the case's room: a new exposure today. Each order's end moves to
    today + the days of the policy in force for them (never earlier than it was), new tests follow
    from today, and each is an F1 of the case."""
    today = timezone.localdate()
    policy = policy_in_force(today)
    roommates = list(
        QuarantineOrder.objects.select_for_update(of=("self",))
        .filter(bed__room_id=order.bed.room_id, status__in=OPEN_STATUSES)
        .exclude(pk=order.pk)
        .select_related("person")
    )
    room = f"{order.facility.name} / {order.bed.room.label}"
    for mate in roommates:
        plan = plan_for(policy=policy, reason="f1", vaccination=mate.vaccination, start=today)
        before = mate.planned_end
        mate.planned_end = max(mate.planned_end, plan.planned_end)
        mate.save(update_fields=["planned_end", "updated_at"])
        _schedule_tests(mate, plan.test_days, plan.test_type, start=today)
        OrderEvent.objects.create(
            order=mate,
            kind=EventKind.REEXPOSED,
            by=actor,
            reason=_("Roommate became a case (F0-%(case)s)") % {"case": case.pk},
            details={
                "from": before.isoformat(),
                "to": mate.planned_end.isoformat(),
                "policy": policy.version,
            },
        )
        exposure_add_person(
            case=case,
            person=mate.person,
            level=Level.F1,
            actor=actor,
            reason=_("Same room in quarantine: %(room)s") % {"room": room},
            request=request,
        )
    return roommates


# --- a lab's CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = ("order", "day", "result", "test_type", "sample_date", "lab")
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_CSV_ROWS = 5000
_RESULTS = {
    "negative": "negative",
    "âm tính": "negative",
    "am tinh": "negative",
    "-": "negative",
    "positive": "positive",
    "dương tính": "positive",
    "duong tinh": "positive",
    "+": "positive",
}


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, the row as sent, why)


def _order_id(value: str) -> int | None:
    value = value.strip().upper().removeprefix("QO-")
    return int(value) if value.isdigit() and len(value) < 18 else None


def lab_csv_import(*, actor: User, data: bytes, request: HttpRequest | None = None) -> ImportResult:
    """Import results from a lab's CSV (columns: order, day, result, test_type, sample_date, lab).
    Each good row is saved on its own; each bad one is listed with its line and why (shown inert, a
    cell typed as a formula stays text). Nothing saved before a bad row is lost."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(_("The file is larger than 2 MB: split it."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text: save it as CSV UTF-8.")) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("order", "result") if c not in header]
    if missing:
        raise ValidationError(
            _("The first line must name the columns; missing: %(cols)s.") % {"cols": ", ".join(missing)}
        )
    result = ImportResult()
    for line, row in enumerate(reader, start=2):
        if line > MAX_CSV_ROWS + 1:
            result.errors.append(
                (line, "", _("More than %(n)s rows: the rest was not read.") % {"n": MAX_CSV_ROWS})
            )
            break
        if not any(cell.strip() for cell in row):
            continue
        shown = safe_cell(",".join(row)[:200])
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        try:
            _import_row(actor, values, request)
        except (ValidationError, Conflict) as error:
            why = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            result.errors.append((line, shown, why))
        except QuarantineOrder.DoesNotExist:
            result.errors.append((line, shown, str(NO_ORDER)))
        else:
            result.saved += 1
    return result


def _import_row(actor: User, values: dict[str, str], request) -> None:
    order_id = _order_id(values.get("order", ""))
    if order_id is None:
        raise ValidationError(_("The order number is not valid."))
    order = QuarantineOrder.objects.select_related("facility").filter(pk=order_id).first()
    if order is None or not can_read_order(actor, order):
        raise QuarantineOrder.DoesNotExist
    outcome = _RESULTS.get(values.get("result", "").strip().lower())
    if outcome is None:
        raise ValidationError(_("The result must be negative or positive."))
    day_text = values.get("day", "")
    if day_text and not (day_text.isdigit() and len(day_text) < 4):
        raise ValidationError(_("The day must be a number."))
    test_type = (values.get("test_type") or "pcr").lower()
    sample_text = values.get("sample_date", "")
    try:
        sample = date.fromisoformat(sample_text) if sample_text else None
    except ValueError:
        raise ValidationError(_("The sample date must be YYYY-MM-DD.")) from None
    try:
        result_record(
            order=order,
            actor=actor,
            result=outcome,
            day=int(day_text) if day_text else None,
            test_type=test_type,
            sample_date=sample,
            lab=values.get("lab", ""),
            request=request,
        )
    except InvalidOperation:
        raise ValidationError(_("Unknown value.")) from None
