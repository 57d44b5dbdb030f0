from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qrtrace.checkins.models import CheckIn
from qrtrace.dashboard import aggregates
from qrtrace.dashboard.models import RestrictedArea, RiskOverride
from tests import actors

from .conftest import A, B, at


def test_the_dashboard_of_a_commune_official_shows_only_their_commune(client, province, commune_official):
    client.force_login(commune_official)
    html = client.get("/dashboard/").content.decode()
    assert "Phường Hạc Thành" in html and "Phường Quảng Phú" not in html
    assert "Số liệu dịch bệnh" in html and "số liệu tính đến" in html


def test_the_commune_table_sorts_by_the_column_asked(client, province, province_official):
    client.force_login(province_official)
    html = client.get("/dashboard/?sort=name&dir=asc").content.decode()
    assert html.index("Phường Bỉm Sơn") < html.index("Phường Hạc Thành")
    html = client.get("/dashboard/?sort=week_checkins").content.decode()
    first_row = html.index('<tr data-code="')
    assert html[first_row:].startswith(f'<tr data-code="{A}"') or html[first_row:].startswith(
        f'<tr data-code="{B}"'
    )
    assert client.get("/dashboard/?sort=drop table").status_code == 200


def test_an_official_sets_the_level_on_the_commune_page_and_sees_who_and_why(
    client, province, commune_official
):
    client.force_login(commune_official)
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        f"/dashboard/communes/{A}/override", {"level": 4, "reason": "Ổ dịch tại chợ", "expires_on": until}
    )
    assert response.status_code == 302
    page = client.get(f"/dashboard/communes/{A}/").content.decode()
    assert "theo quyết định của tram_a" in page and "Ổ dịch tại chợ" in page
    bad = client.post(f"/dashboard/communes/{A}/override", {"level": 4, "reason": "x", "expires_on": until})
    assert bad.status_code == 400 and RiskOverride.objects.count() == 1
    assert client.get(f"/dashboard/communes/{B}/").status_code == 404


def test_restricted_areas_are_declared_on_their_page(client, province, commune_official):
    client.force_login(commune_official)
    data = {
        "name": "Khu phố 3",
        "kind": "lockdown",
        "reason": "Ổ dịch tại chợ",
        "starts_on": province.today.isoformat(),
        "communes": [A],
    }
    assert client.post("/dashboard/restricted-areas", data).status_code == 302
    assert RestrictedArea.objects.get().communes.get().code == A
    polygon = {**data, "communes": [], "geometry": '{"type": "Point", "coordinates": [1, 2]}'}
    response = client.post("/dashboard/restricted-areas", polygon)
    assert response.status_code == 400 and "Polygon" in response.content.decode()
    assert "Khu phố 3" in client.get("/dashboard/restricted-areas").content.decode()


def test_the_map_page_carries_its_settings_and_our_own_leaflet(client, province, province_official, settings):
    settings.QRTRACE_MAP_TILE_URL = "https://tiles.example.vn/{z}/{x}/{y}.png"
    client.force_login(province_official)
    html = client.get("/dashboard/map").content.decode()
    assert "/static/leaflet/leaflet.js" in html and "tiles.example.vn" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_the_refresh_reads_check_ins_with_the_same_queries_however_many_there_are(db):
    venue = actors.make_venue("Chợ Vườn Hoa", A)
    person = actors.make_person()
    today = timezone.localdate()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            aggregates.refresh(days=3, today=today)
        return len(captured)

    CheckIn.objects.create(venue=venue, person=person, entered_at=at(today, 8), method="self_scan")
    few = queries()
    CheckIn.objects.bulk_create(
        [
            CheckIn(venue=venue, person=person, entered_at=at(today, 9, minute), method="self_scan")
            for minute in range(50)
        ]
    )
    assert queries() == few


def test_the_home_page_links_officials_to_the_figures_and_the_map(client, commune_official):
    client.force_login(commune_official)
    html = client.get("/").content.decode()
    assert 'href="/dashboard/"' in html and 'href="/dashboard/map"' in html
    client.logout()
    assert 'href="/dashboard/"' not in client.get("/").content.decode()
