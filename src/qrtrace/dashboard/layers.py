"""The map's layers as GeoJSON, aggregated on the server and capped per response (SORMAS froze
national dashboards drawing every marker). No layer carries a person: venues with published alerts
(name, kind, time windows), per-commune figures, restricted areas, and what other apps provide."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import gettext as _

from qrtrace.lib.display import date_text
from qrtrace.tracing.models import AlertStatus, VenueAlert
from qrtrace.venues.models import Venue

from . import hooks
from .aggregates import day_start
from .models import CommuneBoundary
from .selectors import (
    SUMMED,
    active_cases_on,
    restricted_areas_active,
    risk_levels,
    scope_communes,
    summed_figures,
)

LAYERS = ("alerts", "communes", "restricted", "facilities")
WINDOWS_PER_VENUE = 5


def _collection(features: list[dict], *, total: int | None = None, **extra) -> dict:
    cap = settings.QRTRACE_MAP_LAYER_CAP
    total = len(features) if total is None else total
    return {
        "type": "FeatureCollection",
        "features": features[:cap],
        "total": total,
        "cap": cap,
        "capped": total > cap,
        **extra,
    }


def _point(lng, lat) -> dict:
    return {"type": "Point", "coordinates": [round(float(lng), 6), round(float(lat), 6)]}


def commune_places(codes: list[int]) -> tuple[dict[int, dict], dict[int, str]]:
    """Where each commune is drawn: its imported boundary, else a circle at the centre of its venues'
    coordinates. Returns (geometry by code, how: "boundary" or "centroid")."""
    geometry: dict[int, dict] = {}
    how: dict[int, str] = {}
    for code, shape in CommuneBoundary.objects.filter(commune_id__in=codes).values_list(
        "commune_id", "geometry"
    ):
        geometry[code], how[code] = shape, "boundary"
    centres = (
        Venue.objects.filter(commune_id__in=codes, lat__isnull=False, lng__isnull=False)
        .values("commune_id")
        .annotate(lat=Avg("lat"), lng=Avg("lng"))
    )
    for row in centres:
        if row["commune_id"] not in geometry:
            geometry[row["commune_id"]], how[row["commune_id"]] = _point(row["lng"], row["lat"]), "centroid"
    return geometry, how


def alerts_layer(*, user, first: date, last: date) -> dict:
    """Venues with alerts published over the range, most alerts first, each with its latest windows.
    Counted and ranked by the database: at province size a month holds thousands of alerts, and
    only the first QRTRACE_MAP_LAYER_CAP venues' latest windows are read."""
    codes = [c.code for c in scope_communes(user)]
    alerts = VenueAlert.objects.filter(
        status=AlertStatus.PUBLISHED,
        venue__commune_id__in=codes,
        starts_at__lt=day_start(last + timedelta(days=1)),
        ends_at__gte=day_start(first),
    )
    placed = Q(venue__lat__isnull=False, venue__lng__isnull=False)
    counts = list(
        alerts.filter(placed)
        .values_list("venue_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "venue_id")
        .values_list("venue_id", "n")
    )
    shown = dict(counts[: settings.QRTRACE_MAP_LAYER_CAP])
    latest = (
        alerts.filter(venue_id__in=shown)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("venue_id")], order_by=[F("starts_at").desc(), F("pk")])
        )
        .filter(rank__lte=WINDOWS_PER_VENUE)
        .order_by("venue_id", "rank")
        .values_list("venue_id", "starts_at", "ends_at")
    )
    windows: dict[int, list] = {}
    for venue_id, starts, ends in latest:
        windows.setdefault(venue_id, []).append({"from": _iso(starts), "to": _iso(ends)})
    places = {
        pk: (name, kind, _point(lng, lat))
        for pk, name, kind, lat, lng in Venue.objects.filter(pk__in=shown).values_list(
            "pk", "name", "kind", "lat", "lng"
        )
    }
    features = [
        {
            "type": "Feature",
            "geometry": places[venue_id][2],
            "properties": {
                "name": places[venue_id][0],
                "kind": places[venue_id][1],
                "alerts": n,
                "windows": windows.get(venue_id, []),
            },
        }
        for venue_id, n in shown.items()
    ]
    unlocated = alerts.exclude(placed).values("venue_id").distinct().count()
    return _collection(features, total=len(counts), without_location=unlocated)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def communes_layer(*, user, first: date, last: date) -> dict:
    communes = scope_communes(user)
    codes = [c.code for c in communes]
    sums = summed_figures(user, first, last)
    active = active_cases_on(codes, last)
    levels = risk_levels(codes, last)
    geometry, how = commune_places(codes)
    features, unplaced = [], []
    for commune in communes:
        totals = sums.get(commune.code)
        properties = {
            "code": commune.code,
            "name": commune.name,
            "shape": how.get(commune.code),
            "active_cases": active.get(commune.code, 0),
            **{name: totals.counts[name] if totals else 0 for name in SUMMED},
            "extra": dict(totals.extra) if totals else {},
            "risk_level": (levels.get(commune.code) or {}).get("level"),
        }
        if commune.code not in geometry:
            unplaced.append({"code": commune.code, "name": commune.name})
            continue
        features.append({"type": "Feature", "geometry": geometry[commune.code], "properties": properties})
    features.sort(key=lambda f: (-f["properties"]["new_cases"], f["properties"]["name"]))
    return _collection(features, unplaced=unplaced)


def restricted_layer(*, user, first: date, last: date) -> dict:
    codes = [c.code for c in scope_communes(user)]
    geometry, _how = commune_places(codes)
    features = []
    for area in restricted_areas_active(first=first, last=last, codes=codes):
        properties = {
            "name": area.name,
            "kind": area.kind,
            "kind_label": area.get_kind_display(),
            "reason": area.reason,
            "starts_on": area.starts_on.isoformat(),
            "ends_on": area.ends_on.isoformat() if area.ends_on else None,
            # As the map's list shows them, in the site's one date format (lib/display).
            "period": f"{date_text(area.starts_on)}–{date_text(area.ends_on) or '…'}",
            "communes": [c.name for c in area.communes.all()],
        }
        if area.geometry:
            features.append({"type": "Feature", "geometry": area.geometry, "properties": properties})
        for commune in area.communes.all():
            if commune.code in geometry and commune.code in codes:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": geometry[commune.code],
                        "properties": {**properties, "commune": commune.name},
                    }
                )
    return _collection(features)


def layer(*, name: str, user, first: date, last: date) -> dict:
    if name == "alerts":
        return alerts_layer(user=user, first=first, last=last)
    if name == "communes":
        return communes_layer(user=user, first=first, last=last)
    if name == "restricted":
        return restricted_layer(user=user, first=first, last=last)
    provider = hooks.layer_provider(name)
    if name == "facilities" and provider is None:
        scope_communes(user)  # the same refusal for a venue's staff as every other layer
        return _collection([], available=False)
    if provider is None:
        raise Http404(_("There is no such map layer."))
    codes = [c.code for c in scope_communes(user)]
    return _placed(list(provider(first=first, last=last, communes=codes)))


def _placed(features: list[dict]) -> dict:
    """A provider's features, those without a geometry of their own placed at their commune as the
    communes layer draws it; those whose commune has no place are counted, not drawn."""
    wanting = {f["properties"].get("commune_code") for f in features if f.get("geometry") is None}
    geometry, _how = commune_places([code for code in wanting if code is not None])
    placed, unplaced = [], []
    for feature in features:
        if feature.get("geometry") is None:
            shape = geometry.get(feature["properties"].get("commune_code"))
            if shape is None:
                unplaced.append(feature["properties"])
                continue
            feature = {**feature, "geometry": _centre(shape)}
        placed.append(feature)
    return _collection(placed, unplaced=unplaced[: settings.QRTRACE_MAP_LAYER_CAP])


def _centre(shape: dict) -> dict:
    """A point for a feature placed in a commune: the commune's centroid, or its boundary's centre
    (the mean of the outer ring's corners: good enough to put a marker inside a commune)."""
    if shape["type"] == "Point":
        return shape
    rings = shape["coordinates"] if shape["type"] == "Polygon" else shape["coordinates"][0]
    ring = rings[0]
    return _point(sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
