"""The visitor-log CSV export of one venue over HTTP: rows streamed, rows/s, and the peak RSS of the
serving worker (goal: a 1 M-row export under 300 MB).

The visitor log is per venue and a generated venue holds a few hundred visits, so this adds the rows
to one venue first (the generator's bulk insert: random people of the population, in opening hours
over the last two weeks). Then `qrtrace serve` (granian, 2 workers) serves the page's CSV to a
commune health official, who sees whole phone numbers (decrypted: the costlier case), and
the download streams to a file. A worker's VmHWM is its peak resident memory since it started.
"""

import csv
import random
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.utils import timezone

from bench import server
from bench.harness import Context, Figure, stopwatch
from qrtrace.accounts.services import official_upsert
from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.selectors import visitor_list
from qrtrace.demo.services import CLOSING_MINUTE, OPENING_MINUTE, checkin_bulk_insert
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue, VenueStatus

ROWS = {"small": 20_000}  # every other size: the goal's million
DAYS = 14  # the export's date range, within the retention period a filter may span
GOAL_MB = 300
READ = 1 << 20


def run(ctx: Context) -> list[Figure]:
    rows = ROWS.get(ctx.size.name, 1_000_000)
    venue = Venue.objects.filter(status=VenueStatus.ACTIVE).order_by("code").first()
    with stopwatch() as took:
        added = checkin_bulk_insert(_visits(venue, rows))
    today = timezone.localdate()
    days = {"day_from": today - timedelta(days=DAYS - 1), "day_to": today}
    expected = visitor_list(venue=venue, **days).count()
    cookie = _session_cookie(
        official_upsert(username="bench_export", role="commune", area_code=str(venue.commune_id))
    )

    process = server.start(ctx.env(), port=ctx.port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            page = f"{server.base_url(ctx.port)}/visitors/{venue.code}?{urlencode(days)}"
            # The page first, a few times: the workers import the views and open their connections.
            for _ in range(4):
                _download(page, cookie, Path(tmp) / "page.html", "text/html")
            before = _worker_peaks(process.pid)
            out = Path(tmp) / "export.csv"
            first_byte, seconds = _download(f"{page}&format=csv&purpose=bench", cookie, out, "text/csv")
            after = _worker_peaks(process.pid)
            streamed, footer = _count_rows(out)
            megabytes = out.stat().st_size / 1e6
    finally:
        server.stop(process)

    if streamed != expected or not footer:
        raise RuntimeError(f"the export held {streamed:,} rows (footer: {footer}), the venue {expected:,}")
    event = AuditEvent.objects.filter(action="export", object_id=venue.code).latest("pk")
    peak = max(after.values())
    return [
        Figure(
            "export",
            "check-ins at the exported venue",
            expected,
            "rows",
            note=f"{added:,} added in {took[0]:.1f} s by the generator's bulk insert, over {DAYS} days",
        ),
        Figure(
            "export",
            "CSV rows streamed",
            streamed,
            "rows",
            note=f"{megabytes:.0f} MB in {seconds:.1f} s, first byte after {first_byte:.2f} s; "
            f"audit: 1 event, {event.subjects.count():,} people as subjects, {event.details['rows']:,} rows",
        ),
        Figure("export", "CSV export rate", streamed / seconds, "rows/s"),
        Figure(
            "export",
            "peak RSS of the serving worker",
            peak,
            "MB",
            f"< {GOAL_MB}",
            peak < GOAL_MB,
            "VmHWM of granian's workers, before → after the export: "
            + ", ".join(f"{before[pid]:.0f} → {after[pid]:.0f} MB" for pid in sorted(after)),
        ),
    ]


def _visits(venue: Venue, rows: int):
    """(venue, person, entered minute, left minute or None) as the generator's bulk insert takes
    them: random people, in opening hours over the last DAYS days, one in four never checked out.
    In time order, as they would have arrived: the time indexes then grow at one end."""
    rng = random.Random(11)
    people = list(Person.objects.filter(guardian=None).values_list("pk", flat=True))
    now_minute = int(time.time()) // 60
    midnight = int(timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()) // 60
    span = CLOSING_MINUTE - OPENING_MINUTE
    for back in reversed(range(DAYS)):
        opening = midnight - 1440 * back + OPENING_MINUTE
        count = rows // DAYS + (rows % DAYS if back == 0 else 0)
        for minute in sorted(int(rng.random() * span) for _ in range(count)):
            entered = min(opening + minute, now_minute)
            left = None if rng.random() < 0.25 else entered + 5 + int(rng.random() * 60)
            yield venue.pk, people[int(rng.random() * len(people))], entered, left


def _session_cookie(user) -> str:
    """A signed-in session, as the login page leaves it."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _download(url: str, cookie: str, out: Path, kind: str) -> tuple[float, float]:
    """Stream `url` to `out` a MiB at a time; returns (seconds to the first byte, seconds in all)."""
    started = time.perf_counter()
    first = None
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=900) as response, out.open("wb") as file:
        if not response.headers["Content-Type"].startswith(kind):
            # A session the server does not accept ends on the login page, which is HTML too.
            raise RuntimeError(f"{url} answered {response.headers['Content-Type']}, not {kind}")
        while chunk := response.read1(READ):
            first = first or time.perf_counter() - started
            file.write(chunk)
    return first or 0.0, time.perf_counter() - started


def _count_rows(path: Path) -> tuple[int, bool]:
    """Data rows between the header and the blank line before the footer; whether a footer follows."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        next(reader)
        rows = 0
        for row in reader:
            if not row:
                return rows, any("bench" in cell for row in reader for cell in row)
            rows += 1
    return rows, False


def _worker_peaks(server_pid: int) -> dict[int, float]:
    """VmHWM in MB of each worker: granian forks them from the server process."""
    peaks = {}
    for proc in Path("/proc").iterdir():
        try:
            if (
                proc.name.isdigit()
                and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == server_pid
            ):
                status = (proc / "status").read_text()
                peaks[int(proc.name)] = int(status.split("VmHWM:")[1].split()[0]) / 1024
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
    if not peaks:
        raise RuntimeError(f"no worker processes under the server {server_pid}")
    return peaks
