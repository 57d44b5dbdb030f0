"""Public, cacheable reads: published venue alerts and announcements in force.

Both answer with `Cache-Control` and a strong `ETag` over the body; a request whose `If-None-Match`
names it gets 304 with no body, so agency sites and apps polling every minute cost almost nothing.
"""

import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Router, Schema

from qrtrace.lib.errors import ERRORS, AwareTime, DbInt

from . import selectors

router = Router(tags=["public"])
CACHE_SECONDS = 60


class AlertOut(Schema):
    venue_code: str
    venue_name: str
    commune_code: int
    commune_name: str
    starts_at: AwareTime
    ends_at: AwareTime
    message: str


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    area: str
    commune_codes: list[int]
    urgent: bool
    published_at: AwareTime
    expires_at: AwareTime | None
    url: str


def _cached(request: HttpRequest, payload) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={CACHE_SECONDS}", "Vary": "Accept-Language"}
    sent = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in sent or "*" in sent:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    for name, value in headers.items():
        response[name] = value
    return response


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/public/alerts", response={200: list[AlertOut], 304: None, **ERRORS}, auth=None)
def alerts(request):
    """Published exposure alerts: venue, commune and the risky period (no person is named)."""
    return _cached(request, selectors.kept(f"api:alerts:{get_language()}", _alerts))


def _alerts() -> list[dict]:
    return [
        {
            "venue_code": a.venue_code,
            "venue_name": a.venue_name,
            "commune_code": a.commune_code,
            "commune_name": a.commune_name,
            "starts_at": _time(a.start),
            "ends_at": _time(a.end),
            "message": a.message,
        }
        for a in selectors.alerts_public()
    ]


@router.get("/announcements", response={200: list[AnnouncementOut], 304: None, **ERRORS}, auth=None)
def announcements(request, commune: DbInt | None = None):
    """Announcements in force: the whole province's, or those reaching `commune` (its code)."""
    base = settings.PUBLIC_BASE_URL
    return _cached(
        request,
        [
            {
                "id": item.pk,
                "title": item.title,
                "body": item.body,
                "area": item.area,
                "commune_codes": sorted(item.communes),
                "urgent": item.urgent,
                "published_at": _time(item.publish_at),
                "expires_at": _time(item.expires_at),
                "url": base + reverse("public:announcement", args=[item.pk]),
            }
            for item in selectors.announcements_current(commune=commune)
        ],
    )


@router.get("/public/map", response={200: dict, 304: None, **ERRORS}, auth=None)
def public_map(request):
    """The public map as one GeoJSON FeatureCollection: communes with their risk level (1–4, colour,
    label; new cases in 7 days, under the threshold as "< N"), restricted areas in force (polygon or
    their communes, with dates), venues with published alerts and their windows. No person; each
    kind capped at `cap` features (`totals`, `capped`)."""
    return _cached(request, selectors.public_map_kept())
