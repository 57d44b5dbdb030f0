"""`/api/v1/quarantine/…`: orders, their checks, tests, release and transfer; facilities with
occupancy; policies and the what-if preview. Conventions: docs/architecture.md, "Inside an app"."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qrtrace.accounts.permissions import (
    can_manage_quarantine_policy,
    can_read_person,
    is_quarantine_official,
    require,
)
from qrtrace.lib.errors import ERRORS, DbInt
from qrtrace.lib.pagination import WINDOW, Page, Pagination
from qrtrace.lib.schemas import BodyIn
from qrtrace.people.models import Person
from qrtrace.tracing.models import Exposure, TestType

from . import selectors, services
from .messages import NO_FACILITY, NO_PERSON, NO_POLICY
from .models import (
    FacilityKind,
    Kind,
    OrderStatus,
    QuarantineOrder,
    QuarantinePolicy,
    Reason,
    Slot,
    Vaccination,
)
from .policy import policy_changes

router = Router(tags=["quarantine"])


class OrderIn(BodyIn):
    person_id: DbInt
    reason: Reason
    reason_text: str = Field("", max_length=300)
    vaccination: Vaccination
    kind: Kind
    facility_code: str = Field("", max_length=20)
    address: str = Field("", max_length=300)
    start_date: date | None = None
    exposure_id: DbInt | None = None
    sex: Literal["", "m", "f"] = Field("", description="m / f, as declared; a room may be for one sex.")
    cohort: str = Field("", max_length=60, description="The cohort a room may be kept for.")
    override_reason: str = Field(
        "", max_length=300, description="Why a bed whose room rules the person does not meet is given."
    )


class OrderOut(Schema):
    id: int
    person_id: int
    full_name: str
    reason: str
    vaccination: str
    kind: str
    facility_code: str | None
    bed: str | None
    address: str
    sex: str
    cohort: str
    commune_code: int | None
    start_date: date
    planned_end: date
    monitoring_days: int
    test_days: list[int]
    checks_per_day: int
    policy: str
    status: str
    end_reason: str
    certificate_number: str | None

    @staticmethod
    def resolve_full_name(order: QuarantineOrder) -> str:
        return order.person.full_name

    @staticmethod
    def resolve_facility_code(order: QuarantineOrder) -> str | None:
        return order.facility.code if order.facility else None

    @staticmethod
    def resolve_bed(order: QuarantineOrder) -> str | None:
        return str(order.bed) if order.bed else None

    @staticmethod
    def resolve_commune_code(order: QuarantineOrder) -> int | None:
        return order.commune_id

    @staticmethod
    def resolve_policy(order: QuarantineOrder) -> str:
        return order.policy.version


class OrderFilterIn(Schema):
    status: OrderStatus | None = None
    kind: Kind | None = None
    facility: str | None = Field(None, max_length=20)
    commune: DbInt | None = None
    due: bool = Field(False, description="Only open orders whose planned end is today or past.")


class OrderPatch(BodyIn):
    status: Literal["in_quarantine", "ended_early", "absconded"] | None = Field(
        None, description="in_quarantine: the person arrived; ended_early / absconded need a reason."
    )
    planned_end: date | None = Field(None, description="Extend or shorten (with a reason).")
    reason: str = Field("", max_length=300)


class CheckIn_(BodyIn):
    # A number in JSON (pydantic would also take a numeric string, which its schema then offers as any
    # string): what the schema says is what the server takes.
    temperature: Decimal | None = Field(
        None,
        ge=30,
        le=45,
        max_digits=3,
        decimal_places=1,
        json_schema_extra={
            "anyOf": [{"type": "number", "minimum": 30, "maximum": 45, "multipleOf": 0.1}, {"type": "null"}]
        },
    )
    spo2: int | None = Field(None, ge=0, le=100)
    cough: bool = False
    breathless: bool = False
    sore_throat: bool = False
    loss_of_smell: bool = False
    notes: str = Field("", max_length=300)
    slot: Slot | None = None


class CheckOut(Schema):
    id: int
    day: date
    slot: str
    temperature: Decimal | None
    spo2: int | None
    cough: bool
    breathless: bool
    sore_throat: bool
    loss_of_smell: bool
    red_flag: bool
    self_reported: bool
    recorded_at: datetime


class ResultIn(BodyIn):
    day: int | None = Field(None, ge=1, le=99)
    result: Literal["negative", "positive"]
    test_type: TestType = TestType.PCR
    sample_date: date | None = None
    lab: str = Field("", max_length=120)
    register_case: bool = Field(False, description="A positive result: register the person as a case now.")


class TestOut(Schema):
    day: int
    due_on: date
    test_type: str
    sample_date: date | None
    lab: str
    result: str


class ReleaseIn(BodyIn):
    unit: str = Field(
        "", max_length=200, description="The issuing unit (default: the facility's managing unit)."
    )


class TransferIn(BodyIn):
    kind: Kind
    facility_code: str = Field("", max_length=20)
    address: str = Field("", max_length=300)
    reason: str = Field(max_length=300)
    override_reason: str = Field(
        "", max_length=300, description="Why a bed whose room rules the person does not meet is given."
    )


class FacilityIn(BodyIn):
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    kind: FacilityKind = FacilityKind.OTHER
    commune_code: DbInt
    address: str = Field(max_length=300)
    managing_unit: str = Field(max_length=200)


class FacilityOut(Schema):
    id: int
    code: str
    name: str
    commune_code: int
    status: str
    beds: int
    occupied: int
    free: int


class RuleIn(Schema):
    reason: Reason
    vaccination: Vaccination
    days: int = Field(ge=0, le=60)
    test_days: list[int] = Field(default_factory=list, max_length=20)
    test_type: TestType = TestType.PCR
    home_allowed: bool = True
    monitoring_days: int = Field(0, ge=0, le=30)


class PolicyIn(BodyIn):
    version: str = Field(min_length=1, max_length=40, pattern=r"\S")
    title: str = Field(min_length=1, max_length=300, pattern=r"\S")
    source: str = Field("", max_length=300)
    effective_from: date
    checks_per_day: int = Field(2, ge=1, le=2)
    rules: list[RuleIn] = Field(max_length=40)


class RuleOut(Schema):
    reason: str
    vaccination: str
    days: int
    test_days: list[int]
    test_type: str
    home_allowed: bool
    monitoring_days: int


class PolicyOut(Schema):
    id: int
    version: str
    title: str
    source: str
    effective_from: date
    checks_per_day: int
    status: str
    rules: list[RuleOut]

    @staticmethod
    def resolve_rules(policy: QuarantinePolicy) -> list:
        return list(policy.rules.all())


class ChangeOut(Schema):
    order_id: int
    planned_end: date
    new_planned_end: date
    test_days: list[int]
    new_test_days: list[int]
    monitoring_days: int
    new_monitoring_days: int


class PreviewOut(Schema):
    policy_id: int
    changes: list[ChangeOut]


class ApplyIn(BodyIn):
    orders: list[DbInt] = Field(max_length=100_000, description="The order ids the preview listed.")


def _facility(request, code: str):
    return selectors.open_facilities().filter(code=code.upper()).first() if code else None


@router.post("/quarantine/orders", response={201: OrderOut, **ERRORS})
def order_create(request, payload: OrderIn):
    """Order one person into quarantine under the policy in force; 409 if they have an open order."""
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None or not can_read_person(request.user, person.commune_id):
        raise Http404(str(NO_PERSON))
    exposure = (
        Exposure.objects.filter(pk=payload.exposure_id, person=person).first()
        if payload.exposure_id
        else None
    )
    order = services.order_create(
        actor=request.user,
        person=person,
        reason=payload.reason,
        reason_text=payload.reason_text,
        vaccination=payload.vaccination,
        kind=payload.kind,
        facility=_facility(request, payload.facility_code),
        address=payload.address,
        start_date=payload.start_date,
        exposure=exposure,
        sex=payload.sex,
        cohort=payload.cohort,
        override_reason=payload.override_reason,
        request=request,
    )
    return Status(
        201,
        selectors.order_in_area(user=request.user, order_id=order.pk) if _visible(request, order) else order,
    )


def _visible(request, order) -> bool:
    return selectors.order_queryset(request.user).filter(pk=order.pk).exists()


@router.get("/quarantine/orders", response={200: list[OrderOut], **ERRORS})
@paginate(Pagination, pass_parameter=WINDOW)
def order_list(request, filters: Query[OrderFilterIn], **kwargs):
    """Orders in your area (every page read is audit-logged)."""
    require(is_quarantine_official, request.user)
    window = kwargs[WINDOW]
    return selectors.order_page(
        user=request.user,
        filters=selectors.OrderFilter(
            status=filters.status or "",
            kind=filters.kind or "",
            facility=filters.facility or "",
            commune=filters.commune,
            due=filters.due,
        ),
        limit=window.limit,
        offset=window.offset,
        request=request,
    )


@router.get("/quarantine/orders/{order_id}", response={200: OrderOut, **ERRORS})
def order_detail(request, order_id: DbInt):
    return selectors.order_for_official(user=request.user, order_id=order_id, request=request)


@router.patch("/quarantine/orders/{order_id}", response={200: OrderOut, **ERRORS})
def order_update(request, order_id: DbInt, payload: OrderPatch):
    """Start (the person arrived), extend or shorten, or end early / absconded, with a reason."""
    order = selectors.order_in_area(user=request.user, order_id=order_id)
    if payload.planned_end is not None:
        order = services.order_extend(
            order=order,
            actor=request.user,
            planned_end=payload.planned_end,
            reason=payload.reason,
            request=request,
        )
    if payload.status == "in_quarantine":
        order = services.order_start(order=order, actor=request.user, request=request)
    elif payload.status is not None:
        order = services.order_end(
            order=order, actor=request.user, status=payload.status, reason=payload.reason, request=request
        )
    return selectors.order_in_area(user=request.user, order_id=order_id)


@router.get("/quarantine/orders/{order_id}/checks", response={200: list[CheckOut], **ERRORS})
@paginate(Pagination)
def check_list(request, order_id: DbInt):
    order = selectors.order_for_official(user=request.user, order_id=order_id, request=request)
    return order.checks.order_by("-day", "-recorded_at", "-pk")


@router.post("/quarantine/orders/{order_id}/checks", response={201: CheckOut, **ERRORS})
def check_create(request, order_id: DbInt, payload: CheckIn_):
    order = selectors.order_in_area(user=request.user, order_id=order_id)
    return Status(
        201, services.check_record(order=order, actor=request.user, request=request, **payload.dict())
    )


@router.get("/quarantine/orders/{order_id}/tests", response={200: list[TestOut], **ERRORS})
def tests_list(request, order_id: DbInt):
    order = selectors.order_for_official(user=request.user, order_id=order_id, request=request)
    return list(order.tests.all())


@router.post("/quarantine/orders/{order_id}/tests", response={200: TestOut, **ERRORS})
def result_create(request, order_id: DbInt, payload: ResultIn):
    """Record the result of the test of `day` (the next pending one if not given)."""
    order = selectors.order_in_area(user=request.user, order_id=order_id)
    return services.result_record(order=order, actor=request.user, request=request, **payload.dict())


@router.post("/quarantine/orders/{order_id}/release", response={200: OrderOut, **ERRORS})
def order_release(request, order_id: DbInt, payload: ReleaseIn):
    """Complete the order on or after its planned end and issue the certificate."""
    order = selectors.order_in_area(user=request.user, order_id=order_id)
    services.order_release(order=order, actor=request.user, unit=payload.unit, request=request)
    return selectors.order_in_area(user=request.user, order_id=order_id)


@router.post("/quarantine/orders/{order_id}/transfer", response={201: OrderOut, **ERRORS})
def order_transfer(request, order_id: DbInt, payload: TransferIn):
    """Move the quarantine (home ↔ facility, facility → facility); answers the new order."""
    order = selectors.order_in_area(user=request.user, order_id=order_id)
    facility = _facility(request, payload.facility_code)
    if payload.facility_code and facility is None:
        raise Http404(str(NO_FACILITY))
    new = services.order_transfer(
        order=order,
        actor=request.user,
        kind=payload.kind,
        facility=facility,
        address=payload.address,
        reason=payload.reason,
        override_reason=payload.override_reason,
        request=request,
    )
    return Status(201, new)


@router.get("/quarantine/facilities", response={200: list[FacilityOut], **ERRORS})
@paginate(Pagination, pass_parameter=WINDOW)
def facility_list(request, **kwargs):
    """Facilities in your area with their beds, occupied and free (counts only)."""
    require(is_quarantine_official, request.user)
    window = kwargs[WINDOW]
    facilities = selectors.facility_queryset(request.user)
    rows = selectors.occupancy_by_facility(facilities)
    page = rows[window.offset : window.offset + window.limit]
    items = [
        {
            "id": o.facility_id,
            "code": o.code,
            "name": o.name,
            "commune_code": o.commune_id,
            "status": o.status,
            "beds": o.beds,
            "occupied": o.occupied,
            "free": o.free,
        }
        for o in page
    ]
    return Page(count=len(rows), items=items)


@router.post("/quarantine/facilities", response={201: FacilityOut, **ERRORS})
def facility_create(request, payload: FacilityIn):
    """Open a facility (the province office); add rooms and beds on its page or with `qrtrace demo`."""
    facility = services.facility_create(actor=request.user, **payload.dict())
    return Status(
        201,
        {
            "id": facility.pk,
            "code": facility.code,
            "name": facility.name,
            "commune_code": facility.commune_id,
            "status": facility.status,
            "beds": 0,
            "occupied": 0,
            "free": 0,
        },
    )


@router.get("/quarantine/policies", response={200: list[PolicyOut], **ERRORS})
@paginate(Pagination)
def policy_list(request):
    """Every policy, newest first: the one in force, the history, and drafts."""
    require(is_quarantine_official, request.user)
    return QuarantinePolicy.objects.prefetch_related("rules").order_by("-effective_from", "-pk")


@router.post("/quarantine/policies/preview", response={201: PreviewOut, **ERRORS})
def policy_preview(request, payload: PolicyIn):
    """Save a draft policy and answer what-if: the open orders it would change and how. Nothing
    changes until POST /quarantine/policies/{id}/apply with the ids listed here."""
    data = payload.dict()
    policy = services.policy_draft_create(actor=request.user, request=request, **data)
    return Status(201, {"policy_id": policy.pk, "changes": [c.__dict__ for c in policy_changes(policy)]})


@router.post("/quarantine/policies/{policy_id}/apply", response={200: list[ChangeOut], **ERRORS})
def policy_apply(request, policy_id: DbInt, payload: ApplyIn):
    """Put a draft in force; 409 if the orders it changes are not the ones previewed."""
    require(can_manage_quarantine_policy, request.user)
    policy = QuarantinePolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise Http404(str(NO_POLICY))
    changes = services.policy_apply(
        actor=request.user, policy=policy, expected=payload.orders, request=request
    )
    return [c.__dict__ for c in changes]
