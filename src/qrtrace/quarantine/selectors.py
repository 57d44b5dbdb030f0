"""Quarantine reads, scoped by `accounts.permissions.orders_q` / `facilities_q`. A read that returns
personal data writes its audit event; the aggregates at the end (for the dashboard) carry none."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import (
    can_manage_facility,
    facilities_q,
    is_quarantine_official,
    orders_q,
    require,
    require_or_404,
)
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.pagination import Page
from qrtrace.tracing.models import OPEN_EXPOSURE_STATUSES, Level

from .messages import NO_FACILITY, NO_ORDER
from .models import (
    OPEN_STATUSES,
    Bed,
    Facility,
    FacilityStatus,
    HealthCheck,
    Kind,
    OrderStatus,
    QuarantineOrder,
    QuarantineTest,
    Room,
    Slot,
    TestResult,
)

# A slot's check is overdue after this local hour (morning by noon, evening by 8 pm).
OVERDUE_AFTER = {Slot.MORNING: 12, Slot.EVENING: 20}


def _audit_read(
    user, request, person_ids, *, object_type="quarantine_order", object_id="", purpose, **details
):
    audit_event_create(
        actor=user,
        action="read" if object_id else "list",
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        request=request,
        person_ids=person_ids,
        details=details,
    )


def order_queryset(user: User) -> QuerySet[QuarantineOrder]:
    return QuarantineOrder.objects.filter(orders_q(user)).select_related(
        "person", "facility", "bed__room", "commune", "policy"
    )


def order_in_area(*, user: User, order_id: int) -> QuarantineOrder:
    """The order if the caller may see it; 404 as for a missing one otherwise. Not audited: for
    actions, whose services audit what they do."""
    order = order_queryset(user).filter(pk=order_id).first()
    if order is None:
        raise Http404(str(NO_ORDER))
    return order


def order_for_official(*, user: User, order_id: int, request: HttpRequest | None = None) -> QuarantineOrder:
    """An order to show, with its person: the read is audited."""
    order = order_in_area(user=user, order_id=order_id)
    _audit_read(user, request, [order.person_id], object_id=order.pk, purpose="quarantine follow-up")
    return order


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    kind: str = ""
    facility: str = ""
    commune: int | None = None
    due: bool = False  # planned end today or before, still open


def order_page(
    *, user: User, filters: OrderFilter, limit: int, offset: int, request: HttpRequest | None = None
) -> Page:
    orders = order_queryset(user)
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.kind:
        orders = orders.filter(kind=filters.kind)
    if filters.facility:
        orders = orders.filter(facility__code=filters.facility.upper())
    if filters.commune is not None:
        orders = orders.filter(commune_id=filters.commune)
    if filters.due:
        orders = orders.filter(status__in=OPEN_STATUSES, planned_end__lte=timezone.localdate())
    count = orders.count()
    items = list(orders.order_by("-start_date", "-pk")[offset : offset + limit])
    _audit_read(user, request, [o.person_id for o in items], purpose="quarantine follow-up")
    return Page(count=count, items=items)


def order_history(order: QuarantineOrder):
    return order.events.select_related("by").order_by("at", "pk")


# --- facilities ---------------------------------------------------------------------------------


def facility_queryset(user: User) -> QuerySet[Facility]:
    return Facility.objects.filter(facilities_q(user)).select_related("commune")


def facility_in_area(*, user: User, code: str) -> Facility:
    facility = Facility.objects.select_related("commune").filter(code=code.upper()).first()
    if facility is None:
        raise Http404(str(NO_FACILITY))
    require_or_404(can_manage_facility, user, facility, message=NO_FACILITY)
    return facility


def facility_by_id(*, user: User, facility_id: int) -> Facility:
    facility = Facility.objects.select_related("commune").filter(pk=facility_id).first()
    if facility is None:
        raise Http404(str(NO_FACILITY))
    require_or_404(can_manage_facility, user, facility, message=NO_FACILITY)
    return facility


def open_facilities() -> QuerySet[Facility]:
    """Facilities an order may send someone to (any of the province's that is not closed)."""
    return Facility.objects.exclude(status=FacilityStatus.CLOSED).order_by("name")


@dataclass
class BedLine:
    bed: Bed
    order: QuarantineOrder | None  # the open order holding it, with its person


@dataclass
class RoomBeds:
    room: Room
    beds: list[BedLine]

    @property
    def occupied(self) -> int:
        return sum(1 for line in self.beds if line.order is not None)


def facility_rooms_with_people(
    *, user: User, facility: Facility, request: HttpRequest | None = None
) -> list[RoomBeds]:
    """Each room of a facility (its staff's or the province's: `facility_in_area` first) with each bed
    and who holds it. The names are personal data: the read is audited with the people it shows."""
    require_or_404(can_manage_facility, user, facility, message=NO_FACILITY)
    holders = {
        order.bed_id: order
        for order in QuarantineOrder.objects.filter(
            facility=facility, status__in=OPEN_STATUSES, bed__isnull=False
        ).select_related("person")
    }
    rooms = []
    for room in facility.rooms.prefetch_related("beds").order_by("label"):
        beds = sorted(room.beds.all(), key=lambda bed: (len(bed.label), bed.label))
        rooms.append(RoomBeds(room, [BedLine(bed, holders.get(bed.pk)) for bed in beds]))
    _audit_read(
        user,
        request,
        [order.person_id for order in holders.values()],
        object_type="facility",
        purpose="quarantine facility occupancy",
        facility=facility.code,
    )
    return rooms


# --- occupancy and the board (no personal data) --------------------------------------------------


@dataclass
class Occupancy:
    facility_id: int
    code: str
    name: str
    commune_id: int
    status: str
    beds: int
    occupied: int

    @property
    def free(self) -> int:
        return max(self.beds - self.occupied, 0)


def occupancy_by_facility(facilities: QuerySet[Facility] | None = None) -> list[Occupancy]:
    """Beds, occupied and free per facility (open orders holding a bed). For the dashboard: counts."""
    facilities = (facilities if facilities is not None else Facility.objects.all()).order_by("name")
    occupied = dict(
        QuarantineOrder.objects.filter(status__in=OPEN_STATUSES, bed__isnull=False)
        .values_list("facility_id")
        .annotate(n=Count("pk"))
        .values_list("facility_id", "n")
    )
    beds = dict(
        Bed.objects.values_list("room__facility_id")
        .annotate(n=Count("pk"))
        .values_list("room__facility_id", "n")
    )
    return [
        Occupancy(f.pk, f.code, f.name, f.commune_id, f.status, beds.get(f.pk, 0), occupied.get(f.pk, 0))
        for f in facilities
    ]


def open_order_counts(*, on: date | None = None) -> list[dict]:
    """Open orders by commune of residence, kind and start date: the dashboard's figures, no person."""
    rows = (
        QuarantineOrder.objects.filter(status__in=OPEN_STATUSES)
        .values("commune_id", "kind", "start_date")
        .annotate(count=Count("pk"))
        .order_by("commune_id", "kind", "start_date")
    )
    return list(rows)


def order_status_counts(*, since: date) -> list[dict]:
    """Orders started on or after `since` by commune, kind and status (completed, became a case …)."""
    return list(
        QuarantineOrder.objects.filter(start_date__gte=since)
        .values("commune_id", "kind", "status")
        .annotate(count=Count("pk"))
        .order_by("commune_id", "kind", "status")
    )


@dataclass
class RoomLine:
    label: str
    cohort: str
    sex: str
    beds: int
    occupied: int


@dataclass
class BoardFacility:
    occupancy: Occupancy
    rooms: list[RoomLine] = field(default_factory=list)
    arrivals: list[int] = field(default_factory=list)  # per day of the next 7
    releases: list[int] = field(default_factory=list)
    forecast_free: list[int] = field(default_factory=list)


@dataclass
class Board:
    days: list[date]
    facilities: list[BoardFacility]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "beds": sum(f.occupancy.beds for f in self.facilities),
            "occupied": sum(f.occupancy.occupied for f in self.facilities),
            "free": sum(f.occupancy.free for f in self.facilities),
        }


def facility_board(*, user: User, today: date | None = None) -> Board:
    """Occupancy now by facility and room, arrivals and planned releases for the next 7 days, and
    free beds forecast from planned ends and orders starting later. Counts only: not audited."""
    require(is_quarantine_official, user)
    today = today or timezone.localdate()
    days = [today + timedelta(days=i) for i in range(7)]
    facilities = list(facility_queryset(user).order_by("name"))
    ids = [f.pk for f in facilities]
    occupancy = {o.facility_id: o for o in occupancy_by_facility(Facility.objects.filter(pk__in=ids))}
    rooms = defaultdict(list)
    room_beds = Bed.objects.filter(room__facility_id__in=ids).values_list("room_id").annotate(n=Count("pk"))
    beds_of = dict(room_beds.values_list("room_id", "n"))
    taken = dict(
        QuarantineOrder.objects.filter(status__in=OPEN_STATUSES, facility_id__in=ids, bed__isnull=False)
        .values_list("bed__room_id")
        .annotate(n=Count("pk"))
        .values_list("bed__room_id", "n")
    )
    for room in Room.objects.filter(facility_id__in=ids).order_by("label"):
        rooms[room.facility_id].append(
            RoomLine(
                room.label,
                room.cohort,
                room.get_sex_display() if room.sex else "",
                beds_of.get(room.pk, 0),
                taken.get(room.pk, 0),
            )
        )
    # The next 7 days counted by the database, 21 numbers per facility: a province's thousands of
    # open orders are not brought into Python (at 4,000 in facility beds that cost ~90 ms a view).
    counts = {}
    for i, day in enumerate(days):
        counts[f"a{i}"] = Count("pk", filter=Q(start_date=day))
        counts[f"r{i}"] = Count("pk", filter=Q(planned_end=day))
        counts[f"h{i}"] = Count("pk", filter=Q(start_date__lte=day, planned_end__gt=day))
    ahead = {
        row.pop("facility_id"): row
        for row in QuarantineOrder.objects.filter(status__in=OPEN_STATUSES, facility_id__in=ids)
        .values("facility_id")
        .annotate(**counts)
        .order_by()
    }
    board = []
    for facility in facilities:
        line = BoardFacility(occupancy[facility.pk], rooms[facility.pk])
        row = ahead.get(facility.pk, {})
        for i in range(len(days)):
            line.arrivals.append(row.get(f"a{i}", 0))
            line.releases.append(row.get(f"r{i}", 0))
            line.forecast_free.append(max(line.occupancy.beds - row.get(f"h{i}", 0), 0))
        board.append(line)
    return Board(days, board)


# --- the daily worklist -------------------------------------------------------------------------


@dataclass
class WorkItem:
    order: QuarantineOrder
    day_number: int
    due_slots: list[str]
    done_slots: list[str]
    overdue: bool
    red_flag: bool
    missed_yesterday: bool
    tests_due: list[QuarantineTest]
    release_due: bool
    positive: bool

    @property
    def alert(self) -> bool:
        return self.red_flag or self.missed_yesterday or self.positive

    @property
    def missing_slots(self) -> list[str]:
        return [s for s in self.due_slots if s not in self.done_slots]


def _slots(checks_per_day: int) -> list[str]:
    return [Slot.MORNING, Slot.EVENING] if checks_per_day >= 2 else [Slot.MORNING]


def worklist(
    *,
    user: User,
    facility: Facility | None = None,
    commune: int | None = None,
    request: HttpRequest | None = None,
    now=None,
) -> list[WorkItem]:
    """Today's work for one facility or one commune station (home quarantine of its residents):
    everyone in quarantine with the checks due today, alerts (red flags since yesterday, a missed
    day of reports, a positive test) and overdue checks first. The read is audited."""
    now = timezone.localtime(now)
    today = now.date()
    yesterday = today - timedelta(days=1)
    orders = order_queryset(user).filter(status__in=OPEN_STATUSES, start_date__lte=today)
    if facility is not None:
        require_or_404(can_manage_facility, user, facility, message=NO_FACILITY)
        orders = orders.filter(facility=facility)
    elif commune is not None:
        orders = orders.filter(kind=Kind.HOME, commune_id=commune)
    orders = list(orders.order_by("planned_end", "pk"))
    ids = [o.pk for o in orders]
    done = defaultdict(set)
    for order_id, slot in HealthCheck.objects.filter(order_id__in=ids, day=today).values_list(
        "order_id", "slot"
    ):
        done[order_id].add(slot)
    flagged = set(
        HealthCheck.objects.filter(order_id__in=ids, day__gte=yesterday, red_flag=True).values_list(
            "order_id", flat=True
        )
    )
    reported_yesterday = set(
        HealthCheck.objects.filter(order_id__in=ids, day=yesterday).values_list("order_id", flat=True)
    )
    tests = defaultdict(list)
    positive = set()
    for test in QuarantineTest.objects.filter(order_id__in=ids).filter(
        Q(result=TestResult.PENDING, due_on__lte=today) | Q(result=TestResult.POSITIVE)
    ):
        if test.result == TestResult.POSITIVE:
            positive.add(test.order_id)
        else:
            tests[test.order_id].append(test)
    items = []
    for order in orders:
        due = _slots(order.checks_per_day)
        missing = [s for s in due if s not in done[order.pk]]
        items.append(
            WorkItem(
                order=order,
                day_number=(today - order.start_date).days + 1,
                due_slots=due,
                done_slots=sorted(done[order.pk]),
                overdue=any(now.hour >= OVERDUE_AFTER[s] for s in missing),
                red_flag=order.pk in flagged,
                missed_yesterday=order.start_date <= yesterday and order.pk not in reported_yesterday,
                tests_due=tests[order.pk],
                release_due=order.status == OrderStatus.IN_QUARANTINE and order.planned_end <= today,
                positive=order.pk in positive,
            )
        )
    items.sort(
        key=lambda i: (not i.alert, not i.overdue, not i.missing_slots, i.order.planned_end, i.order.pk)
    )
    _audit_read(
        user,
        request,
        ids,
        purpose="quarantine worklist",
        facility=facility.code if facility else "",
        commune=commune or "",
    )
    return items


def case_f1_to_order(*, user: User, case, request: HttpRequest | None = None) -> tuple[list, set[int]]:
    """A case's open F1 (the caller has the case in their area) and which of them already have an
    open order: the bulk-order page. The read is audited."""
    exposures = list(
        case.exposures.filter(level=Level.F1, status__in=OPEN_EXPOSURE_STATUSES)
        .select_related("person")
        .order_by("pk")
    )
    people = [e.person_id for e in exposures]
    busy = set(
        QuarantineOrder.objects.filter(person_id__in=people, status__in=OPEN_STATUSES).values_list(
            "person_id", flat=True
        )
    )
    _audit_read(
        user, request, people, object_type="case", object_id=case.pk, purpose="quarantine orders for the F1"
    )
    return exposures, busy
