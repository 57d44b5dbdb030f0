"""The dashboard's reads: figures summed from DailyFigure, risk levels, restricted areas. Every read
for an official is scoped to the communes of their area; none returns anything about a person."""

import copy
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qrtrace.accounts.permissions import (
    can_manage_province_data,
    can_view_commune,
    can_view_dashboard,
    require,
    require_or_404,
)
from qrtrace.geo.models import Commune

from . import hooks
from .aggregates import COUNTS, HOURS, as_of
from .models import (
    AggregateRun,
    CommuneProfile,
    DailyFigure,
    DailyReport,
    Period,
    RestrictedArea,
    RiskAssessment,
    RiskOverride,
)
from .risk import COLOURS, reason_text

# The figures shown, in order: flow figures summed over days; active_cases is a state (the last day's).
SUMMED = ("new_cases", "f1_traced", "f2_traced", "checkins", "active_venues", "alerts_published")


def median_hours(histogram: Counter | dict) -> float | None:
    """The median of a histogram of whole hours ({"5": 3} is three durations of 5 to <6 hours)."""
    values = sorted((int(hours), count) for hours, count in histogram.items() if count)
    total = sum(count for _hours, count in values)
    if not total:
        return None

    def nth(position: int) -> int:
        seen = 0
        for hours, count in values:
            seen += count
            if seen > position:
                return hours
        return values[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def scope_communes(user) -> list[Commune]:
    """The communes of the province the user sees figures of (all for the province office). `None`
    is the whole province, for the scheduled report and the public summary (never a request's user)."""
    communes = Commune.objects.filter(province_id=settings.QRTRACE_PROVINCE).order_by("name")
    if user is None:
        return list(communes)
    require(can_view_dashboard, user)
    return [commune for commune in communes if can_view_commune(user, commune.code)]


@dataclass
class Totals:
    counts: dict[str, int]
    extra: dict[str, int]
    hours: dict[str, Counter]

    def median(self, name: str) -> float | None:
        return median_hours(self.hours.get(name, {}))

    def as_dict(self) -> dict:
        return {
            **self.counts,
            "extra": dict(self.extra),
            "median_hours": {name: self.median(name) for name in sorted(self.hours)},
        }


def _sum(rows, *, through: date | None = None) -> Totals:
    """The rows' figures summed; a provided figure that is a state (hooks.figure_states) only from the
    rows of the day `through` (the last day of a range of several), never summed over days."""
    counts = dict.fromkeys(COUNTS, 0)
    extra: Counter = Counter()
    hours: dict[str, Counter] = {name: Counter() for name in timeliness_labels()}
    states = hooks.figure_states()
    for row in rows:
        for name in COUNTS:
            counts[name] += getattr(row, name)
        last_day = through is None or row.day == through
        extra.update({name: value for name, value in row.extra.items() if last_day or name not in states})
        for name in HOURS:
            hours[name.removesuffix("_hours")].update(getattr(row, name))
        for name, histogram in row.extra_hours.items():
            hours.setdefault(name, Counter()).update(histogram)
    return Totals(counts, extra, hours)


# Sums of DailyFigure rows, kept per process for the refresh they were summed from. The rows change
# only when a refresh rewrites them (one transaction that ends by writing its AggregateRun), so the
# latest run names what the sums are of. At province size the province office's page sums ~7,000
# rows with JSON histograms (0.5-1 s of CPU); risk levels, overrides and population stay live reads.
_SUMS: OrderedDict = OrderedDict()
_SUMS_KEPT = 64  # scopes × windows: the province, its communes' stations, a few date ranges


def sums_cache_clear() -> None:
    _SUMS.clear()


def _kept_sums(key: tuple, build):
    version = AggregateRun.objects.order_by("-pk").values_list("pk", "finished_at").first()
    if version is None:  # no refresh has run: nothing to name the rows by
        return build()
    key = (version, *key)
    if key not in _SUMS:
        _SUMS[key] = build()
        if len(_SUMS) > _SUMS_KEPT:
            _SUMS.popitem(last=False)
    _SUMS.move_to_end(key)
    return _SUMS[key]


def _rows(codes: list[int], first: date, last: date):
    return DailyFigure.objects.filter(commune_id__in=codes, day__gte=first, day__lte=last).only(
        "commune_id", "day", *COUNTS, *HOURS, "extra", "extra_hours"
    )


def daily_series(*, user, first: date, last: date, commune: int | None = None) -> list[dict]:
    """One entry per day first..last: the figures of the communes in scope (or of one of them)."""
    codes = [c.code for c in scope_communes(user)]
    if commune is not None:
        if user is not None:
            require_or_404(can_view_commune, user, commune, message=_("There is no such commune."))
        codes = [code for code in codes if code == commune]

    def build() -> list[dict]:
        by_day: dict[date, list] = {}
        for row in _rows(codes, first, last):
            by_day.setdefault(row.day, []).append(row)
        days, day = [], first
        while day <= last:
            days.append({"day": day, **_sum(by_day.get(day, [])).as_dict()})
            day += timedelta(days=1)
        return days

    return copy.deepcopy(_kept_sums(("series", tuple(codes), first, last), build))


@dataclass
class Overview:
    on: date
    as_of: datetime | None
    today: Totals
    week: Totals
    previous_week: Totals
    communes: list[dict]


def risk_levels(codes: list[int], on: date) -> dict[int, dict]:
    """The level each commune shows on `on`: an official's unexpired decision, else the latest weekly
    assessment (with the rolling daily value beside it)."""
    now = timezone.now()
    found: dict[int, dict] = {}
    weekly = RiskAssessment.objects.filter(commune_id__in=codes, period=Period.WEEK, on__lte=on).order_by(
        "commune_id", "on"
    )
    for assessment in weekly.select_related("rule"):
        found[assessment.commune_id] = {
            "level": assessment.level,
            "computed_level": assessment.level,
            "week_of": assessment.on,
            "rule": assessment.rule.version,
            "inputs": assessment.inputs,
            "reason": reason_text(assessment.reasons),
            "override": None,
        }
    rolling = RiskAssessment.objects.filter(commune_id__in=codes, period=Period.DAY, on__lte=on).order_by(
        "commune_id", "on"
    )
    for assessment in rolling:
        found.setdefault(
            assessment.commune_id, {"level": assessment.level, "computed_level": None, "override": None}
        )
        found[assessment.commune_id]["rolling_level"] = assessment.level
    overrides = RiskOverride.objects.filter(
        commune_id__in=codes, ended_at__isnull=True, starts_at__lte=now, expires_at__gt=now
    ).select_related("set_by")
    for override in overrides:
        entry = found.setdefault(override.commune_id, {"computed_level": None})
        entry["level"] = override.level
        entry["override"] = {
            "level": override.level,
            "reason": override.reason,
            "by": override.set_by.get_username(),
            "expires_at": override.expires_at,
        }
    for entry in found.values():
        entry["colour"] = COLOURS.get(entry.get("level"))
    return found


def overview(*, user, on: date | None = None) -> Overview:
    """The dashboard: the day's figures, the last 7 days against the 7 before, and a row per commune."""
    on = on or timezone.localdate()
    communes = scope_communes(user)
    codes = [c.code for c in communes]
    totals, by_commune = _kept_sums(("overview", tuple(codes), on), lambda: _overview_sums(codes, on))
    levels = risk_levels(codes, on)
    population = _population(codes, on)
    table, nothing = [], (_sum([]), _sum([]), 0)
    for commune in communes:
        this, before, active = by_commune.get(commune.code, nothing)
        table.append(
            {
                "code": commune.code,
                "name": commune.name,
                "population": population.get(commune.code),
                "active_cases": active,
                **{f"week_{name}": this.counts[name] for name in SUMMED},
                **{f"previous_{name}": before.counts[name] for name in SUMMED},
                "week_extra": dict(this.extra),
                "risk": levels.get(commune.code),
            }
        )
    return Overview(on, as_of(), *totals, table)


def _overview_sums(codes: list[int], on: date) -> tuple[tuple[Totals, Totals, Totals], dict]:
    """The day, the last 7 days and the 7 before, for all `codes` and for each of them."""
    first = on - timedelta(days=13)
    week_start = on - timedelta(days=6)
    before_end = week_start - timedelta(days=1)
    today, week, previous = [], [], []
    buckets: dict[int, dict[str, list]] = {}
    for row in _rows(codes, first, on):
        bucket = buckets.setdefault(row.commune_id, {"today": [], "week": [], "previous": []})
        if row.day == on:
            today.append(row)
            bucket["today"].append(row)
        if row.day >= week_start:
            week.append(row)
            bucket["week"].append(row)
        else:
            previous.append(row)
            bucket["previous"].append(row)
    by_commune = {
        code: (
            _sum(bucket["week"], through=on),
            _sum(bucket["previous"], through=before_end),
            _sum(bucket["today"]).counts["active_cases"],
        )
        for code, bucket in buckets.items()
    }
    return (_sum(today), _sum(week, through=on), _sum(previous, through=before_end)), by_commune


def _population(codes: list[int], on: date) -> dict[int, int]:
    latest: dict[int, int] = {}
    for code, population in (
        CommuneProfile.objects.filter(commune_id__in=codes, as_of__lte=on).order_by("commune_id", "as_of")
    ).values_list("commune_id", "population"):
        latest[code] = population
    return latest


def commune_detail(*, user, code: int, on: date | None = None) -> dict:
    """One commune: its last 30 days and its risk-level history (weekly assessments, decisions)."""
    commune = Commune.objects.filter(code=code, province_id=settings.QRTRACE_PROVINCE).first()
    if commune is None or not can_view_commune(user, code):
        raise Http404(_("There is no such commune."))
    on = on or timezone.localdate()
    history = [
        {
            "on": a.on,
            "period": a.period,
            "level": a.level,
            "band": a.band + 1,
            "rule": a.rule.version,
            "inputs": a.inputs,
            "reason": reason_text(a.reasons),
        }
        for a in RiskAssessment.objects.filter(commune_id=code, period=Period.WEEK)
        .select_related("rule")
        .order_by("-on")[:52]
    ]
    decisions = (
        RiskOverride.objects.filter(commune_id=code).select_related("set_by").order_by("-starts_at")[:50]
    )
    return {
        "commune": commune,
        "series": daily_series(user=user, first=on - timedelta(days=29), last=on, commune=code),
        "risk": risk_levels([code], on).get(code),
        "history": history,
        "decisions": decisions,
        "population": _population([code], on).get(code),
    }


def risk_level_list(*, user, on: date | None = None) -> list[dict]:
    on = on or timezone.localdate()
    communes = scope_communes(user)
    levels = risk_levels([c.code for c in communes], on)
    return [{"code": c.code, "name": c.name, **(levels.get(c.code) or {"level": None})} for c in communes]


def restricted_areas_active(*, first: date, last: date, codes: list[int] | None = None):
    """Areas in force at some time between first and last (optionally only those touching `codes` or
    drawn as a polygon)."""
    # An area lifted on its first day ends the day before it starts: it was never in force.
    areas = RestrictedArea.objects.filter(starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | (Q(ends_on__gte=first) & Q(ends_on__gte=F("starts_on")))
    )
    if codes is not None:
        areas = areas.filter(Q(communes__in=codes) | Q(geometry__isnull=False)).distinct()
    return areas.prefetch_related("communes").order_by("starts_on", "pk")


# The dashboard's own durations (DailyFigure.<name>_hours), before the provided ones (hooks.hour_labels).
TIMELINESS = {
    "list_ready": gettext_lazy("Case confirmed → F1 list ready"),
    "notified": gettext_lazy("Case confirmed → F1 notified"),
}


def timeliness_labels() -> dict[str, str]:
    """Every timeliness figure (a median of hours), built-in then provided: name → label."""
    return {name: str(label) for name, label in {**TIMELINESS, **hooks.hour_labels()}.items()}


def restricted_area_get(*, user, pk: int) -> RestrictedArea:
    """An area that lists a commune of the user's area, or is drawn on the map (for the officials of
    the province's communes). 403 for who sees no dashboard; 404 for one outside the area, as for a
    missing id (one answer for both, so ids cannot be probed). Whether the user may change it is the
    service's to say (403: seen, not theirs to change)."""
    codes = {commune.code for commune in scope_communes(user)}
    area = RestrictedArea.objects.prefetch_related("communes").filter(pk=pk).first()
    if (
        area is None
        or not codes
        or not (area.geometry is not None or any(commune.code in codes for commune in area.communes.all()))
    ):
        raise Http404(_("No such restricted area in your area."))
    return area


def restricted_areas_planned(*, user, on: date) -> list[RestrictedArea]:
    """The areas of the user's area in force on `on` or planned after it, not lifted."""
    codes = [c.code for c in scope_communes(user)]
    return list(restricted_areas_active(first=on, last=date.max, codes=codes).filter(ended_on__isnull=True))


def restricted_areas_past(*, user, on: date, limit: int = 50) -> list[RestrictedArea]:
    """The areas of the user's area lifted (even from a later day) or ended before `on`, latest first."""
    codes = [c.code for c in scope_communes(user)]
    areas = RestrictedArea.objects.filter(Q(ended_on__isnull=False) | Q(ends_on__lt=on)).filter(
        Q(communes__in=codes) | Q(geometry__isnull=False)
    )
    return list(
        areas.distinct()
        .select_related("ended_by")
        .prefetch_related("communes")
        .order_by("-ends_on", "-pk")[:limit]
    )


def extra_labels() -> dict[str, str]:
    return {name: str(label) for name, label in hooks.figure_labels().items()}


# The built-in figures that are a state of the day (shown for today, never as a 7-day sum).
STATES = ("active_cases", "active_venues")


def state_figures() -> set[str]:
    """Every figure that is a state of the day: built-in and provided."""
    return {*STATES, *hooks.figure_states()}


def summed_figures(user, first: date, last: date) -> dict[int, Totals]:
    """Each commune's figures over first..last (kept: callers read them, never change them)."""
    codes = [c.code for c in scope_communes(user)]

    def build() -> dict[int, Totals]:
        grouped: dict[int, list] = {}
        for row in _rows(codes, first, last):
            grouped.setdefault(row.commune_id, []).append(row)
        return {code: _sum(rows, through=last) for code, rows in grouped.items()}

    return _kept_sums(("by commune", tuple(codes), first, last), build)


def active_cases_on(codes: list[int], day: date) -> dict[int, int]:
    return dict(
        DailyFigure.objects.filter(commune_id__in=codes, day=day).values_list("commune_id", "active_cases")
    )


def _masked(value: int) -> int | str:
    """A public count as the public app shows them: 1 to QRTRACE_PUBLIC_MIN_COUNT − 1 as "< N" (a
    small count in a small commune can point at someone); 0 and larger counts as they are."""
    below = settings.QRTRACE_PUBLIC_MIN_COUNT
    return f"< {below}" if 0 < value < below else value


def public_summary(*, on: date) -> dict:
    """The province's figures for the public side: aggregates only, small counts masked. Today's
    figures, the 7 days to `on` against the 7 before, each commune's risk level, restricted areas
    in force on `on`. Nothing in it names a person, a venue visit or a case."""
    data = overview(user=None, on=on)
    public = ("new_cases", "f1_traced", "f2_traced", "alerts_published")
    series = daily_series(user=None, first=on - timedelta(days=6), last=on)
    return {
        "on": on.isoformat(),
        "as_of": data.as_of.isoformat() if data.as_of else None,
        "today": {name: _masked(data.today.counts[name]) for name in ("active_cases", *public)},
        "last_7_days": {name: _masked(data.week.counts[name]) for name in public},
        "previous_7_days": {name: _masked(data.previous_week.counts[name]) for name in public},
        "trend": [{"day": row["day"].isoformat(), "new_cases": _masked(row["new_cases"])} for row in series],
        "communes": [
            {
                "code": row["code"],
                "name": row["name"],
                "risk_level": (row["risk"] or {}).get("level"),
                "colour": (row["risk"] or {}).get("colour"),
            }
            for row in data.communes
        ],
        "restricted_areas": [
            {
                "name": area.name,
                "kind": area.kind,
                "starts_on": area.starts_on.isoformat(),
                "ends_on": area.ends_on.isoformat() if area.ends_on else None,
                "communes": [commune.name for commune in area.communes.all()],
                "has_polygon": area.geometry is not None,
            }
            for area in restricted_areas_active(first=on, last=on)
        ],
        "masked_below": settings.QRTRACE_PUBLIC_MIN_COUNT,
    }


def kept_reports(*, user) -> list[DailyReport]:
    """The province's kept daily reports, newest first (the province office's; nobody else's)."""
    require(can_view_dashboard, user)
    return list(DailyReport.objects.all()[:60]) if can_manage_province_data(user) else []


def kept_report(*, user, pk: int, kind: str) -> DailyReport:
    require(can_manage_province_data, user)
    report = DailyReport.objects.filter(pk=pk).first()
    if report is None or kind not in ("pdf", "xlsx") or not report.path(kind).exists():
        raise Http404(_("There is no such report."))
    return report
