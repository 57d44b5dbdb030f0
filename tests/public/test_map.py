"""The public map: one cacheable GeoJSON of commune risk levels, restricted areas in force and venues
with published alerts, and a page that lists the same without JavaScript; the public page links it."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from qrtrace.dashboard import aggregates
from qrtrace.dashboard.models import CommuneBoundary, RestrictedArea, RiskOverride
from qrtrace.public.selectors import announcements_cache_clear
from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
from tests import actors

pytestmark = pytest.mark.django_db
A, B = actors.COMMUNE_A, actors.COMMUNE_B
SQUARE = {"type": "Polygon", "coordinates": [[[105.7, 19.8], [105.8, 19.8], [105.8, 19.9], [105.7, 19.8]]]}


@pytest.fixture
def world(province_official):
    today = timezone.localdate()
    now = timezone.now()
    venue = actors.make_venue("Chợ Vườn Hoa", A, lat=Decimal("19.807"), lng=Decimal("105.776"))
    actors.make_venue("Siêu thị Quảng Phú", B, lat=Decimal("19.760"), lng=Decimal("105.850"))
    CommuneBoundary.objects.create(commune_id=B, geometry=SQUARE)
    case = Case.objects.create(person=actors.make_person(commune_id=A), confirmed_at=now - timedelta(hours=1))
    VenueAlert.objects.create(
        case=case,
        venue=venue,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        status=AlertStatus.PUBLISHED,
        published_at=now - timedelta(hours=1),
    )
    RiskOverride.objects.create(
        commune_id=A,
        level=3,
        reason="Ổ dịch tại chợ",
        set_by=province_official,
        starts_at=now - timedelta(hours=1),
        expires_at=now + timedelta(days=3),
    )
    RiskOverride.objects.create(
        commune_id=B,
        level=1,
        reason="Ổn định",
        set_by=province_official,
        starts_at=now - timedelta(hours=1),
        expires_at=now + timedelta(days=3),
    )
    area = RestrictedArea.objects.create(
        name="Khu phố Chợ Vườn Hoa", starts_on=today, ends_on=today + timedelta(days=13)
    )
    area.communes.set([A])
    aggregates.refresh(days=7)
    announcements_cache_clear()
    return {"today": today, "venue": venue, "official": province_official}


def _features(data, layer):
    return [f for f in data["features"] if f["properties"]["layer"] == layer]


def test_the_map_endpoint_has_each_communes_level_the_areas_in_force_and_the_alert_venues(client, world):
    response = client.get("/api/v1/public/map")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    communes = {f["properties"]["code"]: f for f in _features(data, "commune")}
    assert {code: f["properties"]["level"] for code, f in communes.items()} == {A: 3, B: 1}
    assert communes[A]["properties"]["level_label"] == "Cấp 3 – nguy cơ cao (cam)"
    assert communes[A]["geometry"]["type"] == "Point"  # no boundary: its venues' centre
    assert communes[B]["geometry"] == SQUARE and communes[B]["properties"]["shape"] == "boundary"
    assert communes[A]["properties"]["new_cases_7_days"] == "< 5"  # one case, masked
    (area,) = _features(data, "restricted")
    today, last = world["today"], world["today"] + timedelta(days=13)
    assert area["properties"]["period"] == f"{today:%d/%m/%Y} – {last:%d/%m/%Y}"
    assert area["geometry"]["type"] == "MultiPoint"  # drawn as its commune (a centre, no boundary)
    (venue,) = _features(data, "alert")
    assert venue["properties"]["venue"] == "Chợ Vườn Hoa"
    assert venue["geometry"]["coordinates"] == [105.776, 19.807]
    assert len(venue["properties"]["windows"]) == 1
    assert [item["level"] for item in data["legend"]] == [1, 2, 3, 4]
    assert "Ổ dịch" not in response.content.decode()  # the officials' reasons stay on the dashboard


def test_the_map_endpoint_answers_304_to_its_etag(client, world):
    first = client.get("/api/v1/public/map")
    again = client.get("/api/v1/public/map", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


@override_settings(QRTRACE_MAP_LAYER_CAP=10)
def test_the_map_endpoint_caps_what_one_answer_carries(client, world):
    now = timezone.now()
    for n in range(12):
        venue = actors.make_venue(f"Quán số {n:02d}", A, lat=Decimal("19.8"), lng=Decimal("105.7"))
        VenueAlert.objects.create(
            case=Case.objects.first(),
            venue=venue,
            starts_at=now - timedelta(hours=3),
            ends_at=now - timedelta(hours=2),
            status=AlertStatus.PUBLISHED,
        )
    announcements_cache_clear()
    data = client.get("/api/v1/public/map").json()
    assert len(_features(data, "alert")) == 10
    assert data["capped"] and data["totals"]["alerts"] == 13


def test_the_map_page_lists_the_same_without_javascript_and_the_public_page_links_it(client, world):
    html = client.get("/public/map").content.decode()
    assert f'data-code="{A}" data-level="3"' in html and f'data-code="{B}" data-level="1"' in html
    assert "Khu phố Chợ Vườn Hoa" in html and f"{world['today']:%d/%m/%Y}" in html
    assert "Chợ Vườn Hoa" in html and "<td>&lt; 5</td>" in html
    assert "/static/leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html.lower()
    page = client.get("/public/").content.decode()
    assert "Xem bản đồ" in page and 'href="/public/map"' in page and "<script" not in page


def test_the_map_page_speaks_english_on_request(client, world):
    client.cookies["django_language"] = "en"
    html = client.get("/public/map").content.decode()
    assert "Epidemic map" in html and "Level 3 – high (orange) · 1 commune" in html


def test_the_map_endpoint_is_in_the_api_document(client):
    document = json.loads(client.get("/api/v1/openapi.json").content)
    assert "/api/v1/public/map" in document["paths"]


def test_a_venue_carries_its_latest_windows_and_the_count_of_all_as_the_dashboards_map(client, world):
    from qrtrace.dashboard.layers import WINDOWS_PER_VENUE

    now = timezone.now()
    for n in range(WINDOWS_PER_VENUE + 2):
        person = actors.make_person(phone=f"+8490100{n:04d}")
        VenueAlert.objects.create(
            case=Case.objects.create(person=person, confirmed_at=now),
            venue=world["venue"],
            starts_at=now - timedelta(days=1, hours=n + 1),
            ends_at=now - timedelta(days=1, hours=n),
            status=AlertStatus.PUBLISHED,
        )
    announcements_cache_clear()
    (venue,) = _features(client.get("/api/v1/public/map").json(), "alert")
    assert venue["properties"]["alerts"] == WINDOWS_PER_VENUE + 3
    assert len(venue["properties"]["windows"]) == WINDOWS_PER_VENUE
    assert venue["properties"]["windows"][0]["to"] > venue["properties"]["windows"][1]["to"]  # newest first
    assert 'href="/public/alerts"' in client.get("/public/map").content.decode()


def test_an_area_drawn_as_communes_with_boundaries_is_their_polygons(client, world):
    area = RestrictedArea.objects.create(name="Phường Quảng Phú", starts_on=world["today"])
    area.communes.set([B])
    announcements_cache_clear()
    shapes = {
        f["properties"]["area"]: f["geometry"]
        for f in _features(client.get("/api/v1/public/map").json(), "restricted")
    }
    assert shapes["Phường Quảng Phú"] == {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    assert shapes["Khu phố Chợ Vườn Hoa"]["type"] == "MultiPoint"
