"""The public epidemic page: latency per request (goal p95 < 100 ms at full size) and its weight.

On top of the history the generator built, it adds what a bad week shows the public: cases confirmed
over the last 7 days, published alerts at venues across the province, and announcements (province-
wide and per commune). Then it calls the WSGI application directly, one request after another, for
`GET /public/`, and for the feed and the public API an agency site polls. No login, as a citizen.
"""

import random
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from bench import server
from bench.harness import Context, Figure, people_without_case, percentile
from bench.percall import wsgi_call

GOAL_MS = 100
REQUESTS = {"small": 200, "medium": 300, "full": 500, "huge": 500}
WARM_UP = 20
ANNOUNCEMENTS = 20
ALERTS = 60
CASES_PER_DAY = 30


def _public_week(rng: random.Random) -> None:
    from qrtrace.accounts.services import official_upsert
    from qrtrace.public.models import Announcement, Priority
    from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
    from qrtrace.venues.models import Venue

    now = timezone.now()
    author = official_upsert(username="bench_cdc", role="province", area_code=str(settings.QRTRACE_PROVINCE))
    people = people_without_case(CASES_PER_DAY * 7)
    cases = Case.objects.bulk_create(
        Case(person_id=pk, confirmed_at=now - timedelta(days=i % 7, minutes=rng.randrange(600)))
        for i, pk in enumerate(people)
    )
    venues = list(Venue.objects.order_by("?").values_list("pk", "commune_id")[:ALERTS])
    VenueAlert.objects.bulk_create(
        VenueAlert(
            case=cases[i % len(cases)],
            venue_id=venue_id,
            starts_at=now - timedelta(days=i % 10, hours=3),
            ends_at=now - timedelta(days=i % 10, hours=1),
            status=AlertStatus.PUBLISHED,
            published_at=now,
        )
        for i, (venue_id, _commune) in enumerate(venues)
    )
    communes = sorted({commune for _venue, commune in venues})
    for n in range(ANNOUNCEMENTS):
        announcement = Announcement.objects.create(
            title=f"Thông báo số {n}: lịch xét nghiệm và tiêm chủng",
            body="Người dân mang theo CCCD, đeo khẩu trang. Chi tiết: https://syt.thanhhoa.gov.vn " * 4,
            priority=Priority.URGENT if n % 7 == 0 else Priority.NORMAL,
            publish_at=now - timedelta(hours=n),
            expires_at=now + timedelta(days=3),
            created_by=author,
        )
        if n % 2:
            announcement.communes.set([communes[n % len(communes)]])


def _timed(application, path: str, count: int, warm_up: int = WARM_UP) -> tuple[list[float], int]:
    for _ in range(warm_up):
        wsgi_call(application, "GET", path)
    took = []
    for _ in range(count):
        started = time.perf_counter()
        status, _headers = wsgi_call(application, "GET", path)
        took.append((time.perf_counter() - started) * 1000)
        if not status.startswith("200"):
            raise RuntimeError(f"GET {path}: {status}")
    return took, count


def _weight() -> int:
    """The page's HTML and the two stylesheets it links (no script, no image)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from django.test import Client

    html = Client().get("/public/").content
    css = sum(Path(finders.find(name)).stat().st_size for name in ("qrtrace/site.css", "public/public.css"))
    return len(html) + css


def run(ctx: Context) -> list[Figure]:
    from qrtrace.wsgi import application

    _public_week(random.Random(38))
    count = REQUESTS[ctx.size.name]
    page, _n = _timed(application, "/public/", count)
    feed, _n = _timed(application, "/public/feed.atom", count // 2)
    api, _n = _timed(application, "/api/v1/public/alerts", count // 2)
    from qrtrace.public.selectors import announcements_cache_clear

    cold = []
    for _ in range(10):  # the request that builds the page again (every CACHE_SECONDS per process)
        announcements_cache_clear()
        cold += _timed(application, "/public/", 1, warm_up=0)[0]
    with server.served(ctx.env(), port=ctx.port) as base:
        http = server.timed_gets(f"{base}/public/", count=count, warm_up=WARM_UP)
    p95 = percentile(http, 95)
    weight = _weight()
    shown = f"{ANNOUNCEMENTS} announcements, {ALERTS} published alerts, {CASES_PER_DAY * 7} cases in 7 days"
    return [
        Figure(
            "public_page",
            "GET /public/ over HTTP, p95",
            p95,
            "ms",
            f"< {GOAL_MS}",
            p95 < GOAL_MS,
            note=f"{count} requests one after another; p50 {percentile(http, 50):.1f} ms; {shown}",
        ),
        Figure(
            "public_page",
            "GET /public/ in one process, p95",
            percentile(page, 95),
            "ms",
            note=f"{count} requests through the WSGI application; p50 {percentile(page, 50):.1f} ms",
        ),
        Figure(
            "public_page",
            "GET /public/ building the page again, worst of 10",
            max(cold),
            "ms",
            f"< {GOAL_MS}",
            max(cold) < GOAL_MS,
            note="its copy dropped before each (as every 30 s per process, or after a write)",
        ),
        Figure("public_page", "GET /public/ HTML + CSS", weight / 1024, "KB", "< 50", weight < 50 * 1024),
        Figure(
            "public_page",
            "GET /public/feed.atom, p95",
            percentile(feed, 95),
            "ms",
            note=f"{count // 2} requests",
        ),
        Figure(
            "public_page",
            "GET /api/v1/public/alerts, p95",
            percentile(api, 95),
            "ms",
            note=f"{count // 2} requests",
        ),
    ]
