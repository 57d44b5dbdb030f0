"""The dashboard's API: figures, map layers, risk levels, restricted areas, reports, public summary.
Every answer is an aggregate; none carries a person."""

import hashlib
import json
from datetime import date, timedelta
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from qrtrace.geo.schemas import ProvinceCommune
from qrtrace.lib.errors import ERRORS, AwareTime, DbInt
from qrtrace.lib.schemas import BodyIn

from . import layers, reports, selectors, services
from .models import AreaKind

router = Router(tags=["dashboard"])
MAX_DAYS = 366
# A day the figures may be asked of: local midnights outside these years do not fit a datetime in UTC.
# The days figures exist for, stated in the schema too (a pattern: JSON Schema has no date range), so a
# client or a fuzzer that follows the schema never sends a day the server refuses.
Day = Annotated[
    date,
    Field(
        ge=date(2000, 1, 1),
        le=date(2099, 12, 31),
        description="A day, YYYY-MM-DD, from 2000 to 2099.",
        json_schema_extra={"pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"},
    ),
]


class Range(Schema):
    from_: Day | None = Field(None, alias="from", description="First day (default: 29 days before `to`).")
    to: Day | None = Field(None, description="Last day (default: today).")
    commune: DbInt | None = None


class OnDay(Schema):
    day: Day | None = Field(None, alias="date", description="The day (default: today).")


def _range(query: Range, default_days: int = 30) -> tuple[date, date]:
    last = query.to or timezone.localdate()
    first = query.from_ or last - timedelta(days=default_days - 1)
    if first > last:
        raise ValidationError({"from": [_("The first day is after the last.")]})
    if (last - first).days >= MAX_DAYS:
        raise ValidationError({"from": [_("Ask for at most %(days)s days at once.") % {"days": MAX_DAYS}]})
    return first, last


class DayOut(Schema):
    day: date
    new_cases: int
    active_cases: int
    f1_traced: int
    f2_traced: int
    checkins: int
    active_venues: int
    alerts_published: int
    extra: dict[str, int]
    median_hours: dict[str, float | None]


@router.get("/stats/daily", response={200: list[DayOut], **ERRORS})
def stats_daily(request, query: Query[Range]):
    """Figures per day of the communes in the caller's area (or one of them), from the daily aggregates."""
    first, last = _range(query)
    return selectors.daily_series(user=request.user, first=first, last=last, commune=query.commune)


class CommuneRisk(Schema):
    level: int | None = None
    colour: str | None = None
    rule: str | None = None
    reason: str | None = None
    override: dict | None = None


class CommuneFiguresOut(Schema):
    code: int
    name: str
    population: int | None
    active_cases: int
    week_new_cases: int
    previous_new_cases: int
    week_f1_traced: int
    week_f2_traced: int
    week_checkins: int
    week_alerts_published: int
    week_extra: dict[str, int]
    risk: CommuneRisk | None


class CommunesOut(Schema):
    on: date
    as_of: str | None
    communes: list[CommuneFiguresOut]


@router.get("/stats/communes", response={200: CommunesOut, **ERRORS})
def stats_communes(request, query: Query[OnDay]):
    """Each commune of the caller's area: the 7 days to `date` against the 7 before, and its risk level."""
    data = selectors.overview(user=request.user, on=query.day)
    return {"on": data.on, "as_of": data.as_of.isoformat() if data.as_of else None, "communes": data.communes}


@router.get("/map/layers/{name}", response={200: dict, **ERRORS})
def map_layer(request, name: Literal["alerts", "communes", "restricted", "facilities"], query: Query[Range]):
    """One map layer as a GeoJSON FeatureCollection, with `total`, `cap` and `capped`."""
    first, last = _range(query, default_days=14)
    return layers.layer(name=name, user=request.user, first=first, last=last)


class RiskLevelOut(Schema):
    code: int
    name: str
    level: int | None
    colour: str | None = None
    computed_level: int | None = None
    rolling_level: int | None = None
    rule: str | None = None
    reason: str | None = None
    inputs: dict | None = None
    override: dict | None = None


@router.get("/risk-levels", response={200: list[RiskLevelOut], **ERRORS})
def risk_levels(request, query: Query[OnDay]):
    """The level each commune of the caller's area shows, with its reason (inputs and band) or decision."""
    return selectors.risk_level_list(user=request.user, on=query.day)


class OverrideIn(BodyIn):
    commune_code: DbInt
    level: int = Field(ge=1, le=4)
    reason: str = Field(max_length=500)
    expires_at: AwareTime


class OverrideOut(Schema):
    commune_code: int
    level: int
    reason: str
    expires_at: str


@router.post("/risk-levels", response={201: OverrideOut, **ERRORS})
def risk_level_override(request, payload: OverrideIn):
    """Set a commune's level by an official's decision, with a reason, until it expires (audited)."""
    override = services.risk_override_set(actor=request.user, request=request, **payload.dict())
    return Status(
        201,
        {
            "commune_code": override.commune_id,
            "level": override.level,
            "reason": override.reason,
            "expires_at": override.expires_at.isoformat(),
        },
    )


AreaName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
# 5 characters that are not spaces (a reason to restrict an area, or to lift it).
AreaReason = Annotated[str, Field(min_length=5, max_length=500, pattern=r"\S.*\S.*\S.*\S.*\S")]
AreaCommunes = Annotated[list[ProvinceCommune], Field(max_length=500)]


class AreaIn(BodyIn):
    name: AreaName
    kind: AreaKind = AreaKind.LOCKDOWN
    reason: AreaReason
    starts_on: Day
    ends_on: Day | None = None
    geometry: dict | None = Field(None, description="A GeoJSON Polygon or MultiPolygon (province office).")
    commune_codes: AreaCommunes = Field(default_factory=list)


class AreaChangeIn(BodyIn):
    """Only the fields sent change; `ends_on: null` clears the end date. The polygon stays as drawn."""

    name: AreaName = None
    kind: AreaKind = None
    reason: AreaReason = None
    starts_on: Day = None
    ends_on: Day | None = None
    commune_codes: Annotated[AreaCommunes, Field(min_length=1)] = None


class AreaEndIn(BodyIn):
    on: Day = Field(description="The first day the area is no longer in force (from its start day on).")
    reason: AreaReason


class AreaDetailOut(Schema):
    id: int
    name: str
    kind: str
    reason: str
    starts_on: date
    ends_on: date | None
    polygon: bool
    commune_codes: list[int]
    lifted_on: date | None
    planned_ends_on: date | None
    lift_reason: str


def _area_out(area) -> dict:
    return {
        "id": area.pk,
        "name": area.name,
        "kind": area.kind,
        "reason": area.reason,
        "starts_on": area.starts_on,
        "ends_on": area.ends_on,
        "polygon": area.geometry is not None,
        "commune_codes": sorted(commune.code for commune in area.communes.all()),
        "lifted_on": area.ended_on,
        "planned_ends_on": area.planned_ends_on,
        "lift_reason": area.end_reason,
    }


@router.get("/restricted-areas", response={200: list[AreaDetailOut], **ERRORS})
def restricted_area_list(request, query: Query[OnDay]):
    """The areas of the caller's area in force on `date` (default today) or planned after it."""
    areas = selectors.restricted_areas_planned(user=request.user, on=query.day or timezone.localdate())
    return [_area_out(area) for area in areas]


@router.patch("/restricted-areas/{area_id}", response={200: AreaDetailOut, **ERRORS})
def restricted_area_change(request, area_id: DbInt, payload: AreaChangeIn):
    """Extend or shorten an area, or correct its name, kind, reason or communes (audited)."""
    area = selectors.restricted_area_get(user=request.user, pk=area_id)
    changes = {
        key: value
        for key, value in payload.dict(exclude_unset=True).items()
        if value is not None or key == "ends_on"
    }
    area = services.restricted_area_change(actor=request.user, request=request, area=area, **changes)
    return _area_out(area)


@router.post("/restricted-areas/{area_id}/end", response={200: AreaDetailOut, **ERRORS})
def restricted_area_end(request, area_id: DbInt, payload: AreaEndIn):
    """Lift an area from a day (no longer in force that day), with a reason (audited)."""
    area = selectors.restricted_area_get(user=request.user, pk=area_id)
    area = services.restricted_area_end(actor=request.user, request=request, area=area, **payload.dict())
    return _area_out(area)


class AreaOut(Schema):
    id: int
    name: str


@router.post("/restricted-areas", response={201: AreaOut, **ERRORS})
def restricted_area_create(request, payload: AreaIn):
    """Declare an area under restriction (a polygon, or a list of communes) for a time, with a reason."""
    area = services.restricted_area_create(actor=request.user, request=request, **payload.dict())
    return Status(201, {"id": area.pk, "name": area.name})


def _report(request, day: date, kind: str) -> HttpResponse:
    content = reports.report_render(user=request.user, day=day, kind=kind)
    types = {"pdf": "application/pdf", "xlsx": reports.XLSX_CONTENT_TYPE}
    response = HttpResponse(content, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{day.isoformat()}.{kind}"'
    return response


@router.get("/reports/daily/{day}.pdf", url_name="report_pdf", response={200: None, **ERRORS})
def report_pdf(request, day: Day) -> HttpResponse:
    """The daily situation report of the caller's area as PDF (Vietnamese)."""
    return _report(request, day, "pdf")


@router.get("/reports/daily/{day}.xlsx", url_name="report_xlsx", response={200: None, **ERRORS})
def report_xlsx(request, day: Day) -> HttpResponse:
    """The daily situation report of the caller's area as XLSX (cells safe from formulas)."""
    return _report(request, day, "xlsx")


@router.get("/public/summary", response={200: dict, 304: None, **ERRORS}, auth=None)
def public_summary(request, query: Query[OnDay]):
    """The province's public figures (no sign-in): aggregates only, counts below the mask as "< N"."""
    body = json.dumps(
        selectors.public_summary(on=query.day or timezone.localdate()),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response
