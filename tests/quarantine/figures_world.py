"""Quarantine orders of every kind and fate over the last ten days, written straight to the tables, and
the figures the dashboard should get from them counted by brute force: a Python loop over every order
and every day, following the rules in the words of `quarantine/figures.py`'s docstring."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from qrtrace.quarantine.models import (
    OPEN_STATUSES,
    Bed,
    EventKind,
    Facility,
    HealthCheck,
    Kind,
    OrderEvent,
    OrderStatus,
    QuarantineOrder,
    QuarantinePolicy,
    Room,
)
from qrtrace.tracing.models import Case, Exposure, Level
from tests import actors
from tests.quarantine.policies import ensure_ministry_policies

A, B = actors.COMMUNE_A, actors.COMMUNE_B


@dataclass
class World:
    today: date
    facilities: list[Facility]
    orders: list[QuarantineOrder]


def _facility(code: str, name: str, commune: int, beds: int, status: str = "open") -> Facility:
    facility = Facility.objects.create(
        code=code,
        name=name,
        kind="school",
        commune_id=commune,
        address="1 Lê Lợi",
        managing_unit="BCĐ",
        status=status,
    )
    room = Room.objects.create(facility=facility, label="P1")
    Bed.objects.bulk_create([Bed(room=room, label=str(n)) for n in range(1, beds + 1)])
    return facility


def build(today: date, *, phone_prefix: str = "+8490500") -> World:
    ensure_ministry_policies()
    policy = QuarantinePolicy.objects.filter(status="active").first()
    f_a = _facility("KCL-HT", "Trường Chính trị tỉnh", A, 4)
    f_b = _facility("KCL-QP", "Ký túc xá Quảng Phú", B, 2)
    _facility("KCL-OLD", "Khu cách ly cũ", B, 3, status="closed")
    beds = {f.pk: list(Bed.objects.filter(room__facility=f).order_by("pk")) for f in (f_a, f_b)}
    people = iter(range(1000))

    def order(commune, kind, start, status, *, facility=None, ended=None, bed=True, started_event=False):
        number = next(people)
        person = actors.make_person(
            f"Người Cách Ly {number}", f"{phone_prefix}{number:04d}", commune_id=commune
        )
        placed = beds[facility.pk].pop(0) if facility is not None and bed else None
        made = QuarantineOrder.objects.create(
            person=person,
            reason="f1",
            vaccination="full",
            kind=kind,
            facility=facility,
            bed=placed,
            commune_id=commune,
            address="" if facility else "12 Trần Phú",
            start_date=today - timedelta(days=start),
            planned_end=today + timedelta(days=7),
            policy=policy,
            status=status,
            ended_on=today - timedelta(days=ended) if ended is not None else None,
        )
        if started_event:
            OrderEvent.objects.create(order=made, kind=EventKind.START)
        return made

    home_a = order(A, Kind.HOME, 5, OrderStatus.IN_QUARANTINE)
    order(B, Kind.HOME, 8, OrderStatus.COMPLETED, ended=1)
    in_f_a = order(B, Kind.FACILITY, 3, OrderStatus.IN_QUARANTINE, facility=f_a, started_event=True)
    order(A, Kind.FACILITY, 6, OrderStatus.BECAME_CASE, facility=f_b, ended=2, started_event=True)
    order(A, Kind.FACILITY, 0, OrderStatus.ORDERED, facility=f_a)  # waiting to arrive: not yet counted
    order(A, Kind.FACILITY, 4, OrderStatus.ENDED_EARLY, facility=f_a, ended=3)  # never arrived
    order(A, Kind.FACILITY, 4, OrderStatus.BECAME_CASE, facility=f_a, ended=1, bed=False)  # before arrival
    moved = order(B, Kind.FACILITY, 7, OrderStatus.TRANSFERRED, facility=f_b, ended=4, started_event=True)
    successor = order(B, Kind.HOME, 7, OrderStatus.IN_QUARANTINE)
    moved.transferred_to = successor
    moved.save()
    QuarantineOrder.objects.filter(pk=successor.pk).update(person=moved.person)
    order(None, Kind.HOME, 2, OrderStatus.IN_QUARANTINE)  # no commune on record: in no commune's figures
    order(A, Kind.HOME, 0, OrderStatus.IN_QUARANTINE)  # began today
    for offset in range(1, 6):
        HealthCheck.objects.create(
            order=home_a, day=today - timedelta(days=offset), slot="morning", red_flag=offset == 2
        )
    HealthCheck.objects.create(order=in_f_a, day=today - timedelta(days=3), slot="morning", red_flag=True)
    HealthCheck.objects.create(order=in_f_a, day=today - timedelta(days=3), slot="evening", red_flag=True)
    return World(today, [f_a, f_b], list(QuarantineOrder.objects.all()))


def brute_force(first: date, last: date) -> Counter:
    """{(commune, day, figure): count} from every order and every day, one at a time."""
    counts: Counter = Counter()
    orders = list(QuarantineOrder.objects.select_related("facility"))
    events = {(e.order_id, e.kind) for e in OrderEvent.objects.all()}
    checks = list(HealthCheck.objects.select_related("order__facility"))
    checked = {(c.order_id, c.day) for c in checks}
    predecessor = {o.transferred_to_id: o for o in orders if o.transferred_to_id}

    def commune(o):
        return o.facility.commune_id if o.kind == Kind.FACILITY else o.commune_id

    for o in orders:
        where = commune(o)
        if where is None:
            continue
        arrived = o.status != OrderStatus.ORDERED and (
            o.kind == Kind.HOME
            or o.status in (OrderStatus.IN_QUARANTINE, OrderStatus.COMPLETED)
            or (o.pk, EventKind.START) in events
            or any(c.order_id == o.pk for c in checks)
        )
        since = predecessor[o.pk].ended_on if o.pk in predecessor else o.start_date
        day = first
        while day <= last:
            inside = arrived and since <= day and (o.ended_on is None or o.ended_on > day)
            if inside:
                name = "in_quarantine_home" if o.kind == Kind.HOME else "in_quarantine_facility"
                counts[where, day, name] += 1
                if (o.pk, day) not in checked:
                    counts[where, day, "quarantine_days_unchecked"] += 1
            if arrived and o.start_date == day and o.pk not in predecessor:
                counts[where, day, "quarantine_started"] += 1
            if o.ended_on == day and o.status == OrderStatus.COMPLETED:
                counts[where, day, "quarantine_completed"] += 1
            if o.ended_on == day and o.status == OrderStatus.BECAME_CASE:
                counts[where, day, "quarantine_became_case"] += 1
            day += timedelta(days=1)
    for c in checks:
        if c.red_flag and first <= c.day <= last and commune(c.order) is not None:
            counts[commune(c.order), c.day, "quarantine_red_flags"] += 1
    return +counts


def occupancy() -> dict[str, tuple[int, int]]:
    """{facility code: (beds, occupied)}, one bed and one order at a time."""
    result = {}
    for facility in Facility.objects.all():
        beds = [b for room in facility.rooms.all() for b in room.beds.all()]
        held = [
            o
            for o in QuarantineOrder.objects.filter(facility=facility)
            if o.status in OPEN_STATUSES and o.bed_id
        ]
        result[facility.code] = (len(beds), len(held))
    return result


def build_timeliness(today: date) -> None:
    """Cases confirmed over the last days in both communes, their F1 (and one F2) ordered into
    quarantine at home or in a facility at chosen times; and what must not count."""
    policy = QuarantineOrder.objects.values_list("policy_id", flat=True).first()
    facility = Facility.objects.get(code="KCL-HT")
    now = timezone.now()
    people = iter(range(1000))

    def person(commune):
        number = next(people)
        return actors.make_person(f"Người {number}", f"+8490700{number:04d}", commune_id=commune)

    def case(commune, hours_ago, **fields):
        return Case.objects.create(
            person=person(commune), confirmed_at=now - timedelta(hours=hours_ago), **fields
        )

    def f1(
        of, after_minutes, *, kind=Kind.HOME, level=Level.F1, started=True, status=OrderStatus.IN_QUARANTINE
    ):
        contact = person(A)
        exposure = Exposure.objects.create(case=of, person=contact, level=level, source_person=of.person)
        order = QuarantineOrder.objects.create(
            person=contact,
            reason=level.lower(),
            exposure=exposure,
            case=of,
            vaccination="full",
            kind=kind,
            facility=facility if kind == Kind.FACILITY else None,
            commune_id=A,
            start_date=today,
            planned_end=today + timedelta(days=7),
            policy_id=policy,
            status=status,
        )
        at = of.confirmed_at + timedelta(minutes=after_minutes)
        if kind == Kind.FACILITY:
            QuarantineOrder.objects.filter(pk=order.pk).update(created_at=at - timedelta(hours=3))
            if started:
                event = OrderEvent.objects.create(order=order, kind=EventKind.START)
                OrderEvent.objects.filter(pk=event.pk).update(at=at)
        else:
            QuarantineOrder.objects.filter(pk=order.pk).update(created_at=at)
        return order

    first = case(A, 30)
    for minutes in (5, 59, 60, 61, 185, 600):
        f1(first, minutes)
    f1(first, 23 * 60 + 59, kind=Kind.FACILITY)  # counted from arrival, not from the order
    f1(first, 90, kind=Kind.FACILITY, started=False, status=OrderStatus.ORDERED)  # not there yet
    f1(first, 30, level=Level.F2)  # an F2: not this figure
    second = case(B, 80)
    f1(second, 2 * 60 + 1)
    f1(second, -30)  # ordered before the confirmation was recorded: 0 hours
    moved = f1(second, 4 * 60)
    successor = f1(second, 50 * 60)  # a transfer: the same quarantine, counted once
    QuarantineOrder.objects.filter(pk=moved.pk).update(transferred_to=successor)
    discarded = case(B, 20, status="discarded", closed_at=now)
    f1(discarded, 60)
    f1(case(A, 24 * 40), 60)  # confirmed long before the days asked for


def to_quarantine_one_by_one(first: date, last: date) -> Counter:
    """{(commune of the case, day confirmed, whole hours): orders}, one order at a time."""
    counts = Counter()
    successors = set(QuarantineOrder.objects.values_list("transferred_to", flat=True))
    starts = {e.order_id: e.at for e in OrderEvent.objects.filter(kind=EventKind.START)}
    for order in QuarantineOrder.objects.select_related("exposure__case__person"):
        exposure = order.exposure
        if exposure is None or exposure.level != Level.F1 or order.pk in successors:
            continue
        case = exposure.case
        day = timezone.localdate(case.confirmed_at)
        in_at = starts.get(order.pk) if order.kind == Kind.FACILITY else order.created_at
        if case.status == "discarded" or in_at is None or not first <= day <= last:
            continue
        hours = max(0, int((in_at - case.confirmed_at).total_seconds() // 3600))
        counts[case.person.commune_id, day, str(hours)] += 1
    return counts
