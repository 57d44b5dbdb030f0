"""Quarantine's figures for the dashboard (its `hooks` read this module; nothing here imports the
dashboard): per commune and day, counts of orders, never a person; and the facilities map layer.

Every figure is a GROUP BY over the orders (or the health checks): one query per figure, and one per
day for the two states, whatever the number of orders.

Which commune an order counts in:
- at home: the person's commune of residence (`order.commune`, copied from them when ordered) — the
  person is there, and that commune's health station monitors them;
- in a facility: the facility's commune — the people are physically there, and it is that commune's
  load (beds, food, security, waste) the map and the risk assessment are about; counting them at home
  would show a quarantined crowd where nobody is.

An order is in quarantine from its start date until the day before it ended (at the end of the day, as
the dashboard counts active cases); one still waiting for its facility bed (`ordered`) is not. A
transfer ends one order and opens its successor with the same start date: the successor counts from
the transfer day and is not a new start, so nobody is counted twice.

Timeliness (`HOURS`): case confirmed → its F1 in quarantine, a histogram of whole hours per order of
an F1 of a case, by the commune the case lives in and the day it was confirmed (as the dashboard's own
"F1 list ready" and "F1 notified"), so that the three medians read side by side.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Case as Choose
from django.db.models import Count, DateTimeField, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qrtrace.tracing.models import CaseStatus, Level

from .models import (
    EventKind,
    Facility,
    FacilityStatus,
    HealthCheck,
    Kind,
    OrderEvent,
    OrderStatus,
    QuarantineOrder,
)
from .selectors import occupancy_by_facility

LABELS = {
    "in_quarantine_home": _("In quarantine at home"),
    "in_quarantine_facility": _("In quarantine in a facility"),
    "quarantine_started": _("Quarantines started"),
    "quarantine_completed": _("Quarantines completed"),
    "quarantine_became_case": _("Quarantined people who became cases"),
    "quarantine_red_flags": _("Health checks with a red flag"),
    "quarantine_days_unchecked": _("Quarantine days with no health check"),
}
# Durations, as histograms of whole hours: shown as medians with the dashboard's timeliness figures.
HOURS = {"to_quarantine": _("Case confirmed → F1 in quarantine")}
# States at the end of a day: over several days the dashboard shows the last day's, never a sum.
STATES = ("in_quarantine_home", "in_quarantine_facility")


def _place(order: str = ""):
    """The commune an order counts in (see the module's docstring); `order` is the path to it."""
    return Choose(
        When(**{f"{order}kind": Kind.FACILITY}, then=F(f"{order}facility__commune_id")),
        default=F(f"{order}commune_id"),
        output_field=IntegerField(),
    )


def _counted_orders():
    """Orders that were in quarantine some day, with the commune they count in (`place`) and the day
    they count from (`since`). A facility order still waiting (`ordered`), or closed before anyone
    arrived (no start, no health check), never was."""
    predecessor_end = QuarantineOrder.objects.filter(transferred_to=OuterRef("pk")).values("ended_on")[:1]
    arrived = (
        Q(kind=Kind.HOME)
        | Q(status__in=(OrderStatus.IN_QUARANTINE, OrderStatus.COMPLETED))
        | Q(Exists(OrderEvent.objects.filter(order_id=OuterRef("pk"), kind=EventKind.START)))
        | Q(Exists(HealthCheck.objects.filter(order_id=OuterRef("pk"))))
    )
    return (
        QuarantineOrder.objects.exclude(status=OrderStatus.ORDERED)
        .filter(arrived)
        .annotate(
            place=_place(),
            successor_from=Subquery(predecessor_end),
            since=Coalesce(Subquery(predecessor_end), F("start_date")),
        )
    )


def in_quarantine_on(day: date):
    """The orders in quarantine at the end of `day`."""
    return _counted_orders().filter(since__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class _WholeHours(Func):
    """Whole hours from `earlier` to `later` (0 if later is earlier), in the database, as the dashboard's
    own histograms count them (aggregates._hours: 5 h 59 min is 5)."""

    output_field = IntegerField()
    arity = 2  # (later, earlier)

    def _parts(self, compiler):
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return later, earlier, (*later_params, *earlier_params)

    def as_sqlite(self, compiler, connection, **extra):
        later, earlier, params = self._parts(compiler)
        milliseconds = f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400000) AS INTEGER)"
        return f"MAX(0, {milliseconds} / 3600000)", params

    def as_postgresql(self, compiler, connection, **extra):
        later, earlier, params = self._parts(compiler)
        return f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600))::integer", params


def _to_quarantine(*, first_day: date, last_day: date):
    """(commune of the case, day confirmed, whole hours, orders): one GROUP BY over the orders of an F1.

    "Đưa vào cách ly" is when the F1 is actually taken into quarantine: for a facility, when they
    arrived there (the order's start event); at home, the order itself, the moment they are told to
    stay in (its creation). The start date alone is a day, not an hour, and an order waiting for its
    bed is not yet quarantine. An order that a transfer opened is the same quarantine: not counted."""
    started_at = OrderEvent.objects.filter(order_id=OuterRef("pk"), kind=EventKind.START).order_by("at")
    local = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(first_day, time.min), local)
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min), local)
    return (
        QuarantineOrder.objects.filter(
            exposure__level=Level.F1,
            exposure__case__confirmed_at__gte=first,
            exposure__case__confirmed_at__lt=end,
        )
        .exclude(exposure__case__status=CaseStatus.DISCARDED)
        .exclude(Exists(QuarantineOrder.objects.filter(transferred_to=OuterRef("pk"))))
        .annotate(
            in_at=Choose(
                When(kind=Kind.FACILITY, then=Subquery(started_at.values("at")[:1])),
                default=F("created_at"),
                output_field=DateTimeField(),
            )
        )
        .filter(in_at__isnull=False)
        .annotate(
            place=F("exposure__case__person__commune_id"),
            day=TruncDate("exposure__case__confirmed_at", tzinfo=local),
            hours=_WholeHours(F("in_at"), F("exposure__case__confirmed_at")),
        )
        .values("place", "day", "hours")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _add(rows: dict, place, day: date, name: str, value: int) -> None:
    if place is None or not value:
        return
    rows.setdefault((place, day), {})[name] = rows.get((place, day), {}).get(name, 0) + value


def daily_figures(*, first_day: date, last_day: date):
    rows: dict[tuple[int, date], dict[str, int]] = {}
    day = first_day
    while day <= last_day:
        for row in in_quarantine_on(day).values("place", "kind").annotate(n=Count("pk")).order_by():
            name = "in_quarantine_home" if row["kind"] == Kind.HOME else "in_quarantine_facility"
            _add(rows, row["place"], day, name, row["n"])
        unchecked = (
            in_quarantine_on(day)
            .exclude(Exists(HealthCheck.objects.filter(order_id=OuterRef("pk"), day=day)))
            .values("place")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in unchecked:
            _add(rows, row["place"], day, "quarantine_days_unchecked", row["n"])
        day += timedelta(days=1)

    started = (
        _counted_orders()
        .filter(start_date__gte=first_day, start_date__lte=last_day, successor_from__isnull=True)
        .values("place", "start_date")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in started:
        _add(rows, row["place"], row["start_date"], "quarantine_started", row["n"])

    ended = (  # a person may become a case before reaching the facility: every order counts
        QuarantineOrder.objects.annotate(place=_place())
        .filter(
            ended_on__gte=first_day,
            ended_on__lte=last_day,
            status__in=(OrderStatus.COMPLETED, OrderStatus.BECAME_CASE),
        )
        .values("place", "ended_on", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in ended:
        name = "quarantine_completed" if row["status"] == OrderStatus.COMPLETED else "quarantine_became_case"
        _add(rows, row["place"], row["ended_on"], name, row["n"])

    flags = (
        HealthCheck.objects.filter(day__gte=first_day, day__lte=last_day, red_flag=True)
        .annotate(place=_place("order__"))
        .values("place", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in flags:
        _add(rows, row["place"], row["day"], "quarantine_red_flags", row["n"])

    hours: dict[tuple[int, date], dict[str, int]] = {}
    for row in _to_quarantine(first_day=first_day, last_day=last_day):
        if row["place"] is not None:
            histogram = hours.setdefault((row["place"], row["day"]), {})
            histogram[str(row["hours"])] = histogram.get(str(row["hours"]), 0) + row["n"]

    for key in sorted(rows.keys() | hours.keys()):
        row = {"commune_code": key[0], "day": key[1], "figures": rows.get(key, {})}
        if key in hours:
            row["hours"] = {"to_quarantine": hours[key]}
        yield row


def facilities_layer(*, first: date, last: date, communes: list[int]) -> list[dict]:
    """One feature per facility of the communes given: name, commune, status, beds, occupied, free.
    Facilities have no coordinates of their own: `geometry` is None and the dashboard places each at
    its commune (as it places the communes themselves). Occupancy is now's, whatever the dates."""
    facilities = Facility.objects.filter(commune_id__in=communes).select_related("commune")
    names = dict(facilities.values_list("pk", "commune__name"))
    features = []
    for line in occupancy_by_facility(facilities):
        features.append(
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "code": line.code,
                    "name": line.name,
                    "commune_code": line.commune_id,
                    "commune": names.get(line.facility_id, ""),
                    "status": line.status,
                    "status_label": str(FacilityStatus(line.status).label),
                    "beds": line.beds,
                    "occupied": line.occupied,
                    "free": line.free,
                },
            }
        )
    return features


def map_layers():
    return {"facilities": facilities_layer}
