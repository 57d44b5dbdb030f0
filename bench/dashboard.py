"""The dashboard on the generated history: the figures' refresh (goal: a day of check-ins < 60 s),
the daily report (goal < 30 s), and over HTTP the dashboard page and each map layer as a province
official (goal p95 < 500 ms each).

The generator makes check-ins only; this adds what the figures also read: coordinates for the
venues (so every commune is drawn), cases confirmed over the history with their F1/F2, messages
sent and published alerts. Then it rebuilds every day of the history once (the first refresh after
an upgrade), times the scheduled refresh of one day, builds the report, and loads the pages.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from bench import server
from bench.harness import ROOT, Context, Figure, people_without_case, percentile, stopwatch
from qrtrace.accounts.services import official_upsert
from qrtrace.checkins.models import CheckIn
from qrtrace.dashboard import aggregates, reports, services
from qrtrace.dashboard.layers import LAYERS
from qrtrace.dashboard.models import Period
from qrtrace.notifications.models import Message, MessageStatus
from qrtrace.tracing.models import AlertStatus, Case, Exposure, Level, VenueAlert
from qrtrace.venues.models import Venue

GOAL_PAGE_MS = 500
GOAL_REFRESH_S = 60
GOAL_REPORT_S = 30
REQUESTS = {"small": 20}  # per page; every other size 100


def run(ctx: Context) -> list[Figure]:
    rng = random.Random(15)
    _place_venues(rng)
    cases = _cases(ctx, rng)
    orders = _quarantine(ctx, rng)
    first = timezone.localtime(
        CheckIn.objects.aggregate(first=Min("entered_at"))["first"] or timezone.now()
    ).date()
    days = (timezone.localdate() - first).days + 1
    with stopwatch() as history:
        aggregates.refresh(days=days)
    with stopwatch() as one_day:
        run_ = aggregates.refresh(days=1)
    with stopwatch() as levels:
        services.risk_levels_compute(on=timezone.localdate(), period=Period.DAY)
        services.risk_levels_compute(on=timezone.localdate(), period=Period.WEEK)
    with stopwatch() as report:
        reports.report_keep(day=timezone.localdate())
    figures = [
        Figure(
            "dashboard",
            "refresh: the whole history",
            history[0],
            "s",
            note=f"{days} days, {cases} cases, {orders} quarantine orders",
        ),
        Figure(
            "dashboard",
            "refresh: one day (the schedule)",
            one_day[0],
            "s",
            f"< {GOAL_REFRESH_S} s",
            one_day[0] < GOAL_REFRESH_S,
            note=f"{run_.rows} commune-days",
        ),
        Figure("dashboard", "risk levels: every commune, day and week", levels[0], "s"),
        Figure(
            "dashboard",
            "daily report PDF + XLSX",
            report[0],
            "s",
            f"< {GOAL_REPORT_S} s",
            report[0] < GOAL_REPORT_S,
        ),
    ]
    cookie = server.session_cookie(
        official_upsert(username="bench_cdc", role="province", area_code=str(settings.QRTRACE_PROVINCE))
    )
    count = REQUESTS.get(ctx.size.name, 100)
    log = ROOT / "var" / "bench" / "dashboard-server.log"  # a 500 is explained here
    with server.served(ctx.env(), port=ctx.port, log=log) as base:
        pages = {"dashboard page": "/dashboard/"} | {
            f"map layer {name}": f"/api/v1/map/layers/{name}" for name in LAYERS
        }
        for label, path in pages.items():
            timings = server.timed_gets(base + path, cookie=cookie, count=count)
            p95 = percentile(timings, 95)
            figures.append(
                Figure(
                    "dashboard",
                    f"{label} p95",
                    p95,
                    "ms",
                    f"< {GOAL_PAGE_MS} ms",
                    p95 < GOAL_PAGE_MS,
                    note=f"p50 {percentile(timings, 50):.0f} ms over {count} requests",
                )
            )
    return figures


def _quarantine(ctx: Context, rng: random.Random) -> int:
    """The quarantine figures and the facilities layer read quarantine's orders: those its bench
    wrote when it ran before, else as many written the way it writes them."""
    from bench import quarantine
    from qrtrace.people.models import Person
    from qrtrace.quarantine.models import QuarantineOrder

    if not QuarantineOrder.objects.exists():
        people_n, facilities_n, _bulk = quarantine.SCALE.get(ctx.size.name, quarantine.FULL)
        people = list(Person.objects.filter(pk__in=people_without_case(people_n, guardian__isnull=True)))
        facilities = quarantine._facilities(
            facilities_n, beds_needed=int(people_n * 0.4) + facilities_n, rng=rng
        )
        quarantine._orders(people, facilities, rng)
    return QuarantineOrder.objects.count()


def _place_venues(rng: random.Random) -> None:
    """Coordinates around each commune's own centre (Thanh Hóa spans about 19.3–20.6 N, 104.4–106.1 E)."""
    venues = list(Venue.objects.filter(lat__isnull=True).only("pk", "commune_id"))
    centres: dict[int, tuple[float, float]] = {}
    for venue in venues:
        lat, lng = centres.setdefault(venue.commune_id, (rng.uniform(19.3, 20.6), rng.uniform(104.5, 106.0)))
        venue.lat = Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}")
        venue.lng = Decimal(f"{lng + rng.uniform(-0.02, 0.02):.6f}")
    Venue.objects.bulk_update(venues, ["lat", "lng"], batch_size=2000)


def _cases(ctx: Context, rng: random.Random) -> int:
    """About ten cases a day per ten thousand people, each with a handful of F1 and F2."""
    people = people_without_case(ctx.size.people // 10)
    venues = list(Venue.objects.values_list("pk", flat=True))
    if not people or not venues:
        return 0
    per_day = max(1, ctx.size.people // 1000)
    today = timezone.localdate()
    made = 0
    pool = iter(people)
    for offset in range(ctx.size.days):
        day = today - timedelta(days=offset)
        for _ in range(per_day):
            try:
                person = next(pool)
            except StopIteration:
                return made
            confirmed = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
                hours=rng.randint(6, 20)
            )
            case = Case.objects.create(
                person_id=person,
                confirmed_at=confirmed,
                traced_at=confirmed + timedelta(hours=rng.randint(1, 12)),
            )
            contacts = rng.sample(people, 8)
            Exposure.objects.bulk_create(
                [
                    Exposure(
                        case=case, person_id=c, level=Level.F1 if i < 5 else Level.F2, source_person_id=person
                    )
                    for i, c in enumerate(contacts)
                    if c != person
                ],
                ignore_conflicts=True,
            )
            Message.objects.bulk_create(
                [
                    Message(
                        person_id=c,
                        reference=f"case:{case.pk}",
                        body="F1",
                        status=MessageStatus.SENT,
                        next_attempt_at=confirmed,
                        sent_at=case.traced_at + timedelta(hours=rng.randint(0, 6)),
                    )
                    for c in contacts[:5]
                    if c != person
                ],
                ignore_conflicts=True,
            )
            VenueAlert.objects.create(
                case=case,
                venue_id=rng.choice(venues),
                starts_at=confirmed - timedelta(days=1),
                ends_at=confirmed - timedelta(hours=22),
                status=AlertStatus.PUBLISHED,
                published_at=case.traced_at,
            )
            made += 1
    return made
