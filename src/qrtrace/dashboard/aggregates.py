"""The daily figures per commune, rebuilt set-based for the last few days (the `refresh_aggregates`
task and `qrtrace dashboard refresh`).

Each figure is one GROUP BY over its source table's time index (check-ins by `entered_at`, one day
partition each on PostgreSQL): no check-in is ever read into Python. The figures of the days rebuilt
replace the old ones in one transaction, so a page never sees half a refresh.
"""

import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from qrtrace.checkins.models import CheckIn
from qrtrace.notifications.models import Message, MessageStatus
from qrtrace.tracing.models import AlertStatus, Case, CaseStatus, Exposure, ExposureStatus, Level, VenueAlert
from qrtrace.tracing.notify import CASE_REFERENCE_PREFIX

from . import hooks
from .models import AggregateRun, DailyFigure

COUNTS = (
    "new_cases",
    "active_cases",
    "f1_traced",
    "f2_traced",
    "checkins",
    "active_venues",
    "alerts_published",
)
HOURS = ("list_ready_hours", "notified_hours")


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock.min))


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _hours(later: datetime, earlier: datetime) -> str:
    return str(max(0, int((later - earlier).total_seconds() // 3600)))


class _Figures:
    def __init__(self) -> None:
        self.rows: dict[tuple[int, date], dict] = {}

    def row(self, commune: int | None, day: date) -> dict | None:
        if commune is None:
            return None  # people with no commune on record belong to no commune's figures
        key = (commune, day)
        if key not in self.rows:
            self.rows[key] = {
                **dict.fromkeys(COUNTS, 0),
                **{name: defaultdict(int) for name in HOURS},
                "extra": defaultdict(int),
                "extra_hours": defaultdict(lambda: defaultdict(int)),
            }
        return self.rows[key]

    def add(self, commune: int | None, day: date, name: str, value: int) -> None:
        row = self.row(commune, day)
        if row is not None:
            row[name] += value


def collect(first: date, last: date, *, now: datetime) -> dict[tuple[int, date], dict]:
    """Every commune's figures for the days first..last (local), computed from the source tables."""
    start, end = day_start(first), day_start(last + timedelta(days=1))
    figures = _Figures()

    checkins = (
        CheckIn.objects.filter(entered_at__gte=start, entered_at__lt=end)
        .annotate(day=_local_day("entered_at"))
        .values("venue__commune_id", "day")
        .annotate(n=Count("id"), venues=Count("venue_id", distinct=True))
    )
    for row in checkins:
        figures.add(row["venue__commune_id"], row["day"], "checkins", row["n"])
        figures.add(row["venue__commune_id"], row["day"], "active_venues", row["venues"])

    real_cases = Case.objects.exclude(status=CaseStatus.DISCARDED)
    new_cases = (
        real_cases.filter(confirmed_at__gte=start, confirmed_at__lt=end)
        .annotate(day=_local_day("confirmed_at"))
        .values("person__commune_id", "day")
        .annotate(n=Count("id"))
    )
    for row in new_cases:
        figures.add(row["person__commune_id"], row["day"], "new_cases", row["n"])

    day = first
    while day <= last:
        # Active at the end of the day (or now, for today): confirmed by then and not yet closed.
        until = min(day_start(day + timedelta(days=1)), now)
        active = (
            real_cases.filter(confirmed_at__lt=until)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=until))
            .values("person__commune_id")
            .annotate(n=Count("id"))
        )
        for row in active:
            figures.add(row["person__commune_id"], day, "active_cases", row["n"])
        day += timedelta(days=1)

    exposures = (
        Exposure.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=ExposureStatus.DISMISSED)
        .annotate(day=_local_day("created_at"))
        .values("person__commune_id", "day", "level")
        .annotate(n=Count("id"))
    )
    for row in exposures:
        name = "f1_traced" if row["level"] == Level.F1 else "f2_traced"
        figures.add(row["person__commune_id"], row["day"], name, row["n"])

    alerts = (
        VenueAlert.objects.filter(status=AlertStatus.PUBLISHED, published_at__gte=start, published_at__lt=end)
        .annotate(day=_local_day("published_at"))
        .values("venue__commune_id", "day")
        .annotate(n=Count("id"))
    )
    for row in alerts:
        figures.add(row["venue__commune_id"], row["day"], "alerts_published", row["n"])

    # Timeliness, by the day the case was confirmed and the commune it lives in: one row per case
    # (list ready) and per F1 notified, never a check-in.
    traced = (
        real_cases.filter(confirmed_at__gte=start, confirmed_at__lt=end, traced_at__isnull=False)
        .annotate(day=_local_day("confirmed_at"))
        .values_list("person__commune_id", "day", "confirmed_at", "traced_at")
    )
    for commune, day, confirmed, traced_at in traced:
        row = figures.row(commune, day)
        if row is not None:
            row["list_ready_hours"][_hours(traced_at, confirmed)] += 1
    sent = Message.objects.filter(
        status=MessageStatus.SENT,
        person_id=OuterRef("person_id"),
        reference=Concat(Value(CASE_REFERENCE_PREFIX), Cast(OuterRef("case_id"), CharField())),
    ).values("sent_at")[:1]
    notified = (
        Exposure.objects.filter(level=Level.F1, case__confirmed_at__gte=start, case__confirmed_at__lt=end)
        .exclude(case__status=CaseStatus.DISCARDED)
        .annotate(sent_at=Subquery(sent), day=_local_day("case__confirmed_at"))
        .filter(sent_at__isnull=False)
        .values_list("case__person__commune_id", "day", "case__confirmed_at", "sent_at")
    )
    for commune, day, confirmed, sent_at in notified:
        row = figures.row(commune, day)
        if row is not None:
            row["notified_hours"][_hours(sent_at, confirmed)] += 1

    for provider in hooks.figure_providers():
        for provided in map(hooks.as_row, provider(first_day=first, last_day=last)):
            row = figures.row(provided.commune_code, provided.day)
            if row is None:
                continue
            for name, value in provided.figures.items():
                row["extra"][name] += int(value)
            for name, histogram in provided.hours.items():
                for hours, count in histogram.items():
                    row["extra_hours"][name][str(hours)] += int(count)
    return figures.rows


def _has_figures(values: dict) -> bool:
    return any(values[name] for name in COUNTS) or any(
        values[name] for name in (*HOURS, "extra", "extra_hours")
    )


@transaction.atomic
def refresh(*, days: int, today: date | None = None) -> AggregateRun:
    """Rebuild the figures of the last `days` days up to `today` (local), replacing what was there."""
    started = timezone.now()
    clock_start = time.monotonic()
    last = today or timezone.localdate()
    first = last - timedelta(days=days - 1)
    rows = collect(first, last, now=started)
    finished = timezone.now()
    DailyFigure.objects.filter(day__gte=first, day__lte=last).delete()
    DailyFigure.objects.bulk_create(
        [
            DailyFigure(
                commune_id=commune,
                day=day,
                **{name: values[name] for name in COUNTS},
                **{name: dict(values[name]) for name in HOURS},
                extra=dict(values["extra"]),
                extra_hours={name: dict(hist) for name, hist in values["extra_hours"].items()},
                as_of=started,
            )
            for (commune, day), values in sorted(rows.items())
            if _has_figures(values)
        ],
        batch_size=1000,
    )
    return AggregateRun.objects.create(
        first_day=first,
        last_day=last,
        started_at=started,
        finished_at=finished,
        rows=len(rows),
        seconds=round(time.monotonic() - clock_start, 3),
    )


def as_of() -> datetime | None:
    """When the figures shown were computed: the start of the latest refresh."""
    return AggregateRun.objects.order_by("-finished_at").values_list("started_at", flat=True).first()
