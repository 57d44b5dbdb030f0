"""Quarantine at province size: the worklist of one commune station and the facility board over HTTP
(p95, goal < 300 ms each), and a bulk order of a case's F1 (goal: 1,000 in < 10 s).

People in quarantine are written straight to the table (this is the data, not what is measured):
at full size 10,000 across 50 facilities and every generated commune, 40 % in facility beds, the
rest at home, each with a report this morning for half of them. The bulk order then runs through
the service, SMS queuing and audit included, for F1s who have no open order.
"""

import random
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from bench import server
from bench.harness import Context, Figure, people_without_case, percentile
from qrtrace.accounts.services import official_upsert
from qrtrace.people.models import Person
from qrtrace.quarantine.models import Bed, Facility, HealthCheck, QuarantineOrder, Room
from qrtrace.quarantine.policy import plan_for, policy_in_force
from qrtrace.quarantine.services import orders_create_for_case
from qrtrace.tracing.models import Case, Exposure, Level

SCALE = {"small": (500, 5, 100), "medium": (3_000, 20, 500)}  # people, facilities, bulk F1s
FULL = (10_000, 50, 1_000)
GOAL_MS = 300
GOAL_BULK_S = 10
REQUESTS = 40


def run(ctx: Context) -> list[Figure]:
    people_n, facilities_n, bulk_n = SCALE.get(ctx.size.name, FULL)
    rng = random.Random(14)
    ids = people_without_case(people_n + bulk_n + 1, guardian__isnull=True, quarantine_orders__isnull=True)
    people = list(Person.objects.filter(pk__in=ids).order_by("pk"))
    in_quarantine, f1s, source = people[:people_n], people[people_n : people_n + bulk_n], people[-1]
    facilities = _facilities(facilities_n, beds_needed=int(people_n * 0.4) + facilities_n, rng=rng)
    _orders(in_quarantine, facilities, rng)
    commune = (
        QuarantineOrder.objects.filter(kind="home")
        .values("commune_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )["commune_id"]
    station = official_upsert(username="bench_q_station", role="commune", area_code=str(commune))
    province = official_upsert(
        username="bench_q_cdc", role="province", area_code=str(settings.QRTRACE_PROVINCE)
    )
    figures = []
    process = server.start(ctx.env(), port=ctx.port)
    try:
        base = server.base_url(ctx.port)
        for name, url, user in (
            ("commune worklist p95", f"{base}/quarantine/communes/{commune}/worklist", station),
            ("facility board p95", f"{base}/quarantine/", province),
        ):
            times = server.timed_gets(url, cookie=server.session_cookie(user), count=REQUESTS)
            p95 = percentile(times, 95)
            figures.append(Figure("quarantine", name, round(p95, 1), "ms", f"< {GOAL_MS}", p95 < GOAL_MS))
    finally:
        server.stop(process)
    homes = QuarantineOrder.objects.filter(kind="home", commune_id=commune).count()
    ctx.notes.append(
        f"quarantine: {people_n} in quarantine, {facilities_n} facilities; "
        f"the worklist's commune holds {homes} at home."
    )
    case = Case.objects.create(person=source, confirmed_at=timezone.now() - timedelta(hours=2))
    Exposure.objects.bulk_create(
        [Exposure(case=case, person=p, level=Level.F1, source_person=source) for p in f1s]
    )
    started = time.perf_counter()
    result = orders_create_for_case(
        actor=province, case=case, exposure_ids=None, kind="home", vaccination="full"
    )
    seconds = time.perf_counter() - started
    figures.append(
        Figure(
            "quarantine",
            f"bulk order of {bulk_n} F1",
            round(seconds, 2),
            "s",
            f"< {GOAL_BULK_S} (1,000)",
            seconds < GOAL_BULK_S if bulk_n >= 1_000 else None,
            note=f"{len(result.created)} created",
        )
    )
    return figures


def _facilities(count: int, *, beds_needed: int, rng: random.Random) -> list[Facility]:
    placed = Person.objects.filter(commune__isnull=False)  # people a gate entered may have none
    communes = sorted(set(placed.values_list("commune_id", flat=True)))[:count]
    facilities = Facility.objects.bulk_create(
        [
            Facility(
                code=f"BENCH-{i:03d}",
                name=f"Khu cách ly {i}",
                commune_id=communes[i % len(communes)],
                address="1 Lê Lợi",
                managing_unit="BQL",
            )
            for i in range(count)
        ]
    )
    per_facility = -(-beds_needed // count)
    rooms = Room.objects.bulk_create(
        [Room(facility=f, label=f"P{r}") for f in facilities for r in range(-(-per_facility // 8))]
    )
    Bed.objects.bulk_create(
        [Bed(room=room, label=str(b)) for room in rooms for b in range(8)], batch_size=5000
    )
    return facilities


def _orders(people: list[Person], facilities: list[Facility], rng: random.Random) -> None:
    today = timezone.localdate()
    policy = policy_in_force(today)
    beds = {f.pk: list(Bed.objects.filter(room__facility=f).values_list("pk", flat=True)) for f in facilities}
    orders, placed = [], 0
    for i, person in enumerate(people):
        start = today - timedelta(days=rng.randint(0, 4))
        plan = plan_for(policy=policy, reason="f1", vaccination="none", start=start)
        fields = {"kind": "home", "address": "1 Trần Phú"}
        if i % 5 < 2:
            facility = facilities[placed % len(facilities)]
            placed += 1
            fields = {"kind": "facility", "facility": facility, "bed_id": beds[facility.pk].pop()}
        orders.append(
            QuarantineOrder(
                person=person,
                reason="f1",
                vaccination="none",
                commune_id=person.commune_id,
                start_date=start,
                planned_end=plan.planned_end,
                test_days=list(plan.test_days),
                checks_per_day=2,
                policy=policy,
                monitoring_days=plan.monitoring_days,
                status="in_quarantine",
                **fields,
            )
        )
    QuarantineOrder.objects.bulk_create(orders, batch_size=2000)
    HealthCheck.objects.bulk_create(
        [
            HealthCheck(order=o, day=today, slot="morning", temperature=36.6, spo2=98, self_reported=True)
            for o in orders[::2]
        ],
        batch_size=5000,
    )
