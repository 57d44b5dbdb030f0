"""Reads of the public side: announcements in force, published venue alerts, the self-check, the
figures of the public page, and the stations' feedback lists.

Everything a page without a login shows comes from here and names no person: announcements are
written for everyone, alerts name a venue and a period, figures are counts with the small ones masked.
"""

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import (
    area_q,
    can_announce_in,
    can_handle_feedback,
    can_read_feedback,
    can_write_announcements,
    require,
    require_or_404,
)
from qrtrace.audit.services import audit_event_create
from qrtrace.checkins.models import CheckIn
from qrtrace.dashboard.layers import WINDOWS_PER_VENUE, commune_places
from qrtrace.dashboard.risk import LEVEL_NAMES
from qrtrace.dashboard.selectors import public_summary, restricted_areas_active, summed_figures
from qrtrace.geo.models import Commune, Province
from qrtrace.lib.display import date_text, datetime_text
from qrtrace.tracing.selectors import published_alerts
from qrtrace.venues.models import Venue

from .models import Announcement, Feedback, Priority

# Visits and alerts a phone's self-check looks back over (as far as the check-in page's alerts do).
SELF_CHECK_DAYS = 14
# Published alerts the public page lists: those whose risky period ended this recently.
ALERT_DAYS = 14


# --- announcements ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """An announcement as the pages show it, with its area (no communes: the whole province)."""

    pk: int
    title: str
    body: str
    priority: int
    publish_at: datetime
    expires_at: datetime | None
    updated_at: datetime
    communes: frozenset[int]
    area: str

    @property
    def urgent(self) -> bool:
        return self.priority == Priority.URGENT

    def shown(self, now: datetime) -> bool:
        return self.publish_at <= now and (self.expires_at is None or self.expires_at > now)

    def reaches(self, commune_ids) -> bool:
        return not self.communes or bool(self.communes.intersection(commune_ids))


# The check-in confirmation asks on every check-in: the announcements not yet over are kept per
# process this long (a write here clears this process's copy at once; other processes see it within
# this time). Each answer filters by the clock, so one that expires disappears on time.
CACHE_SECONDS = 30
_cache: dict = {}


def announcements_cache_clear() -> None:
    """Drop this process's copies: the announcements and the public page built from them."""
    _cache.clear()


def kept(key: str, build, *, until: datetime | None = None):
    """`build()`, kept in this process for CACHE_SECONDS and no later than `until` (wall clock: the
    moment an announcement shown expires or one waiting is published), dropped by any write here."""
    clock, now = time.monotonic(), timezone.now()
    entry = _cache.get(key)
    if entry is not None and clock - entry[0] <= CACHE_SECONDS and (entry[1] is None or now < entry[1]):
        return entry[2]
    value = build()
    _cache[key] = (clock, until, value)
    return value


def next_change(now: datetime) -> datetime | None:
    """When the announcements in force next change by the clock alone (one starts or ends)."""
    moments = [
        moment
        for item in _cached_live()
        for moment in (item.publish_at, item.expires_at)
        if moment and moment > now
    ]
    return min(moments, default=None)


def _province_name() -> str:
    province = Province.objects.filter(code=settings.QRTRACE_PROVINCE).first()
    return province.name if province else ""


def _live(queryset: QuerySet) -> list[Live]:
    rows = list(queryset.prefetch_related("communes"))
    province = _province_name() if any(not row.communes.all() for row in rows) else ""
    return [
        Live(
            pk=row.pk,
            title=row.title,
            body=row.body,
            priority=row.priority,
            publish_at=row.publish_at,
            expires_at=row.expires_at,
            updated_at=row.updated_at,
            communes=frozenset(c.code for c in row.communes.all()),
            area=", ".join(c.name for c in row.communes.all()) or province,
        )
        for row in rows
    ]


def _not_over(now: datetime) -> QuerySet:
    return Announcement.objects.filter(withdrawn_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def _cached_live() -> list[Live]:
    return kept("live", lambda: _live(_not_over(timezone.now()).order_by("-priority", "-publish_at")[:200]))


def announcements_for_communes(*, commune_ids, now: datetime | None = None) -> list[Live]:
    """Announcements in force now for these communes (province-wide ones included), urgent first.
    From the per-process copy: the hot path of the check-in confirmation."""
    now = now or timezone.now()
    ids = set(commune_ids)
    return [item for item in _cached_live() if item.shown(now) and item.reaches(ids)]


def announcements_current(*, commune: int | None = None, province_wide_only: bool = False) -> list[Live]:
    """Announcements in force now: all of the province, or those reaching `commune`, or (for the
    province's feed) only those for the whole province."""
    now = timezone.now()
    items = [item for item in _cached_live() if item.shown(now)]
    if province_wide_only:
        return [item for item in items if not item.communes]
    if commune is not None:
        return [item for item in items if item.reaches({commune})]
    return items


def announcement_public(*, pk: int) -> Live | None:
    """One announcement as its public page shows it, if it is in force."""
    return next((item for item in announcements_current() if item.pk == pk), None)


def announcements_for_official(*, user: User) -> QuerySet:
    """What an official sees in their list: what they may edit, newest first."""
    require(can_write_announcements, user)
    queryset = Announcement.objects.prefetch_related("communes").order_by("-publish_at")
    if can_announce_in(user, []):
        return queryset  # the province office: every announcement of the province
    return queryset.filter(area_q(user, "communes")).distinct()


def announcement_for_official(*, user: User, pk: int) -> Announcement:
    """An announcement the official may edit: 404 for one outside their area (as for a missing one)."""
    found = announcements_for_official(user=user).filter(pk=pk).first()
    if found is None or not _may_edit(user, found):
        raise Http404(_("No such announcement in your area."))
    return found


def _may_edit(user: User, announcement: Announcement) -> bool:
    return can_announce_in(user, [c.code for c in announcement.communes.all()])


# --- venue alerts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicAlert:
    venue_code: str
    venue_name: str
    address: str
    commune_code: int
    commune_name: str
    start: datetime
    end: datetime
    message: str


def alerts_public() -> list[PublicAlert]:
    """Published venue alerts whose period ended within ALERT_DAYS, oldest period first (kept per
    process and language for CACHE_SECONDS: the page, its figures, the embed and the API share it)."""
    return kept(f"alerts:{get_language()}", _alerts_public)


def _alerts_public() -> list[PublicAlert]:
    now = timezone.now()
    alerts = published_alerts(venue_ids=None, since=now - timedelta(days=ALERT_DAYS))
    venues = {
        v.pk: v
        for v in Venue.objects.filter(pk__in={a["venue_id"] for a in alerts}).select_related("commune")
    }
    return [
        PublicAlert(
            venue_code=venues[a["venue_id"]].code,
            venue_name=a["venue_name"],
            address=venues[a["venue_id"]].address,
            commune_code=venues[a["venue_id"]].commune_id,
            commune_name=venues[a["venue_id"]].commune.name,
            start=a["start"],
            end=a["end"],
            message=a["message"],
        )
        for a in alerts
    ]


# --- the exposure self-check ------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A visit of this phone's person (or of someone they declared) overlapping a published alert."""

    venue_name: str
    visited_at: datetime
    start: datetime
    end: datetime
    message: str


def self_check(*, person, now: datetime | None = None) -> list[Match]:
    """The published alerts this person's recent visits overlap (no name or number in the answer)."""
    now = now or timezone.now()
    since = now - timedelta(days=SELF_CHECK_DAYS)
    people = [person.pk, *person.wards.values_list("pk", flat=True)]
    visits = list(
        CheckIn.objects.filter(person_id__in=people, entered_at__gte=since).values_list(
            "venue_id", "entered_at", "left_at", "venue__default_stay_minutes"
        )
    )
    if not visits:
        return []
    alerts = published_alerts(venue_ids={v[0] for v in visits}, since=since)
    matches = []
    for alert in alerts:
        for venue_id, entered, left, stay in visits:
            end = left or entered + timedelta(minutes=stay)
            if venue_id == alert["venue_id"] and entered <= alert["end"] and end >= alert["start"]:
                matches.append(
                    Match(alert["venue_name"], entered, alert["start"], alert["end"], alert["message"])
                )
                break
    return matches


def alerts_at(*, code: str, day: date) -> tuple[Venue | None, list[dict]]:
    """The published alerts at the venue with this short code whose period touches `day` (local)."""
    venue = Venue.objects.filter(code=code.strip().upper()).first()
    if venue is None:
        return None, []
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = start + timedelta(days=1)
    alerts = published_alerts(venue_ids=[venue.pk], since=start)
    return venue, [a for a in alerts if a["start"] < end]


# --- figures of the public page --------------------------------------------------------------------


def shown_count(count: int) -> str:
    """A count of people as the public pages show it: under the threshold (but not none) as "< N",
    so that no one is singled out."""
    threshold = settings.QRTRACE_PUBLIC_MIN_COUNT
    return f"< {threshold}" if 0 < count < threshold else str(count)


@dataclass(frozen=True)
class Figures:
    """The figures section of the public page and the embed (docs/architecture.md, "The public
    app": the dashboard's `public_summary` fills it once it exists; until then, what the apps below
    already know)."""

    on: date
    totals: list[tuple[str, str]]
    trend: list[tuple[date, str]]
    communes: list[tuple[str, int, str]] = field(default_factory=list)  # name, risk level 1-4, label
    restricted: list[tuple[str, str]] = field(default_factory=list)  # area, since
    threshold: int = 5  # counts under it are shown as "< threshold"


def figures_on(*, on: date) -> Figures:
    """The figures section from the dashboard's public summary (aggregates, small counts already
    masked there): today's active cases, the last 7 days against the 7 before, the 7-day trend,
    commune risk levels and restricted areas in force."""
    summary = public_summary(on=on)
    week, before = summary["last_7_days"], summary["previous_7_days"]

    return Figures(
        on=on,
        totals=[
            (_("Active cases today"), str(summary["today"]["active_cases"])),
            (
                _("New cases, last 7 days (the 7 before: %(n)s)") % {"n": before["new_cases"]},
                str(week["new_cases"]),
            ),
            (
                _("Contacts traced (F1), last 7 days (the 7 before: %(n)s)") % {"n": before["f1_traced"]},
                str(week["f1_traced"]),
            ),
            (
                _("Exposure alerts published, last 7 days (the 7 before: %(n)s)")
                % {"n": before["alerts_published"]},
                str(week["alerts_published"]),
            ),
            (_("Announcements in force"), str(len(announcements_current()))),
        ],
        trend=[(date.fromisoformat(row["day"]), str(row["new_cases"])) for row in summary["trend"]],
        communes=[
            (row["name"], row["risk_level"], str(LEVEL_NAMES[row["risk_level"]]))
            for row in summary["communes"]
            if row["risk_level"]
        ],
        restricted=[
            (area["name"], date.fromisoformat(area["starts_on"]).strftime("%d/%m/%Y"))
            for area in summary["restricted_areas"]
        ],
        threshold=summary["masked_below"],
    )


# --- the public map ---------------------------------------------------------------------------------

# One level's colour, as the dashboard's map and the public page's table draw it.
LEVEL_COLOURS = {1: "#1e8e3e", 2: "#e3b200", 3: "#e8710a", 4: "#c5221f"}


def _period(first, last) -> str:
    return f"{date_text(first)} – {date_text(last) or '…'}"


def public_map(*, on: date) -> dict:
    """The public map as one GeoJSON FeatureCollection: each commune with a risk level (its boundary,
    or a circle at its venues' centre), the restricted areas in force on `on` (their polygon, or their
    communes), and the venues of the public page's alerts with their windows. Aggregates and already
    public data only: no person, counts of people under the threshold as "< N", at most
    QRTRACE_MAP_LAYER_CAP features of each kind (`totals` and `capped` say how many there were) and
    the latest WINDOWS_PER_VENUE windows of a venue (`alerts` counts them all), as the dashboard's map."""
    summary = public_summary(on=on)
    cap = settings.QRTRACE_MAP_LAYER_CAP
    levelled = [row for row in summary["communes"] if row["risk_level"]]
    codes = [row["code"] for row in levelled]
    places, how = commune_places(codes)
    cases = summed_figures(None, on - timedelta(days=6), on)
    communes = [
        {
            "type": "Feature",
            "geometry": places.get(row["code"]),
            "properties": {
                "layer": "commune",
                "code": row["code"],
                "commune": row["name"],
                "level": row["risk_level"],
                "level_label": str(LEVEL_NAMES[row["risk_level"]]),
                "colour": LEVEL_COLOURS[row["risk_level"]],
                "shape": how.get(row["code"]),
                "new_cases_7_days": shown_count(cases[row["code"]].counts["new_cases"])
                if row["code"] in cases
                else "0",
            },
        }
        for row in sorted(levelled, key=lambda r: (-r["risk_level"], r["name"]))
    ]
    areas = []
    in_force = list(restricted_areas_active(first=on, last=on))
    area_places, _how = commune_places([c.code for area in in_force[:cap] for c in area.communes.all()])
    for area in in_force[:cap]:
        properties = {
            "layer": "restricted",
            "area": area.name,
            "kind": area.get_kind_display(),
            "starts_on": area.starts_on.isoformat(),
            "ends_on": area.ends_on.isoformat() if area.ends_on else None,
            "period": _period(area.starts_on, area.ends_on),
            "communes": [c.name for c in area.communes.all()],
        }
        if area.geometry:
            shape = area.geometry
        else:  # drawn as its communes: one MultiPolygon of their boundaries, or their centres
            shape = _union([area_places[c.code] for c in area.communes.all() if c.code in area_places])
        areas.append({"type": "Feature", "geometry": shape, "properties": properties})
    alerts = alerts_public()
    located = {
        code: {"type": "Point", "coordinates": [float(lng), float(lat)]}
        for code, lat, lng in Venue.objects.filter(
            code__in={a.venue_code for a in alerts}, lat__isnull=False, lng__isnull=False
        ).values_list("code", "lat", "lng")
    }
    venues: dict[str, dict] = {}
    for alert in reversed(alerts):  # newest window first
        feature = venues.setdefault(
            alert.venue_code,
            {
                "type": "Feature",
                "geometry": located.get(alert.venue_code),  # none: listed, not drawn
                "properties": {
                    "layer": "alert",
                    "venue": alert.venue_name,
                    "venue_code": alert.venue_code,
                    "address": alert.address,
                    "commune": alert.commune_name,
                    "alerts": 0,
                    "windows": [],
                },
            },
        )
        feature["properties"]["alerts"] += 1
        if len(feature["properties"]["windows"]) == WINDOWS_PER_VENUE:
            continue  # the public page's list of places has them all
        feature["properties"]["windows"].append(
            {
                "from": alert.start.isoformat(),
                "to": alert.end.isoformat(),
                "text": f"{datetime_text(alert.start)} – {datetime_text(alert.end)}",
            }
        )
    features = [*communes[:cap], *areas, *list(venues.values())[:cap]]
    return {
        "type": "FeatureCollection",
        "features": features,
        "on": on.isoformat(),
        "totals": {"communes": len(communes), "restricted": len(in_force), "alerts": len(venues)},
        "cap": cap,
        "capped": max(len(communes), len(in_force), len(venues)) > cap,
        "legend": [
            {"level": level, "label": str(label), "colour": LEVEL_COLOURS[level]}
            for level, label in LEVEL_NAMES.items()
        ],
        "masked_below": summary["masked_below"],
    }


def _union(shapes: list[dict]) -> dict | None:
    """Several communes' shapes as one geometry: their polygons as a MultiPolygon, else their points."""
    polygons = [
        polygon
        for shape in shapes
        for polygon in (
            [shape["coordinates"]]
            if shape["type"] == "Polygon"
            else shape["coordinates"]
            if shape["type"] == "MultiPolygon"
            else []
        )
    ]
    if polygons:
        return {"type": "MultiPolygon", "coordinates": polygons}
    points = [shape["coordinates"] for shape in shapes if shape["type"] == "Point"]
    return {"type": "MultiPoint", "coordinates": points} if points else None


def public_map_kept() -> dict:
    """The public map of today, kept per process and language like the page (CACHE_SECONDS)."""
    return kept(f"map:{get_language()}", lambda: public_map(on=timezone.localdate()))


# --- feedback -------------------------------------------------------------------------------------


def feedback_list(*, user: User, handled: bool = False, request=None) -> list[Feedback]:
    """The reports for the official's area, oldest open first (their phones are personal data: the
    read is audited)."""
    require(can_read_feedback, user)
    items = list(
        Feedback.objects.filter(area_q(user, "commune"))
        .filter(handled_at__isnull=not handled)
        .select_related("commune")
        .order_by("created_at" if not handled else "-handled_at")[:200]
    )
    with_phone = [item.pk for item in items if item.phone]
    if with_phone:
        audit_event_create(
            actor=user,
            action="feedback_list",
            object_type="feedback",
            purpose="reports from citizens",
            request=request,
            details={"ids": with_phone},
        )
    return items


def feedback_for_official(*, user: User, pk: int) -> Feedback:
    require(can_read_feedback, user)
    found = Feedback.objects.filter(pk=pk).first()
    require_or_404(
        can_handle_feedback,
        user,
        found.commune_id if found else None,
        message=_("No such report in your area."),
    )
    return found


def province_communes() -> QuerySet:
    return Commune.objects.filter(province_id=settings.QRTRACE_PROVINCE).order_by("name")
