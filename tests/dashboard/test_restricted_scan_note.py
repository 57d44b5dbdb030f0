"""Issue 15: the restricted areas officials draw are named on the citizen's scan page, kept per
process per day (no query per scan), and a change to an area shows at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qrtrace.dashboard.models import AreaKind
from qrtrace.dashboard.services import restricted_area_create
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import A

pytestmark = pytest.mark.django_db


def _note(client, url) -> str:
    page = client.get(url).content.decode()
    start = page.find('<small class="note">')
    return "" if start < 0 else page[start + 20 : page.index("</small>", start)]


@pytest.fixture
def scan_url():
    return f"/v/{venue_token(actors.make_venue('Chợ Vườn Hoa'))}"


def _area(name: str, **dates):
    today = timezone.localdate()
    return restricted_area_create(
        name=name,
        kind=AreaKind.LOCKDOWN,
        reason="Ổ dịch tại thôn",
        starts_on=dates.get("starts_on", today - timedelta(days=1)),
        ends_on=dates.get("ends_on"),
        geometry=None,
        commune_codes=[A],
        actor=actors.make_official("cdc", "province", 38),
    )


def test_the_areas_in_force_today_are_named_and_later_or_past_ones_are_not(client, scan_url):
    today = timezone.localdate()
    assert _note(client, scan_url) == ""
    _area("Thôn 3", ends_on=today + timedelta(days=10))
    _area("Khu phố 5")
    _area("Thôn 9", starts_on=today + timedelta(days=1))
    _area("Thôn 1", starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=1))
    until = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    assert _note(client, scan_url) == f"Vùng đang phong tỏa, cách ly: Thôn 3 (đến {until}), Khu phố 5."


def test_a_scan_reads_no_area_from_the_database_once_kept(client, scan_url):
    _area("Thôn 3")
    client.get(scan_url)
    with CaptureQueriesContext(connection) as queries:
        assert "Thôn 3" in _note(client, scan_url)
    assert not [q for q in queries.captured_queries if "restrictedarea" in q["sql"]]


def test_an_area_ended_or_renamed_shows_at_the_next_scan(client, scan_url):
    area = _area("Thôn 3")
    assert "Thôn 3" in _note(client, scan_url)
    area.name = "Thôn 3 và 4"
    area.save()
    assert "Thôn 3 và 4" in _note(client, scan_url)
    area.ends_on = timezone.localdate() - timedelta(days=1)
    area.save()
    assert _note(client, scan_url) == ""
    area.ends_on = None
    area.save()
    assert "Thôn 3 và 4" in _note(client, scan_url)
    area.delete()
    assert _note(client, scan_url) == ""
