from datetime import timedelta

import pytest
from django.utils import timezone

from qrtrace.public.services import announcement_create
from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
from tests import actors

pytestmark = pytest.mark.django_db


def test_announcements_answer_with_cache_headers_and_a_304_for_the_same_etag(client, province_official):
    announcement_create(actor=province_official, title="Toàn tỉnh", body="…", communes=[])
    first = client.get("/api/v1/announcements")
    assert first.status_code == 200
    assert [a["title"] for a in first.json()] == ["Toàn tỉnh"]
    assert first["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/announcements", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    announcement_create(actor=province_official, title="Mới", body="…", communes=[])
    changed = client.get("/api/v1/announcements", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_announcements_of_a_commune_include_the_province_wide_ones(client, province_official):
    announcement_create(actor=province_official, title="Toàn tỉnh", body="…", communes=[])
    announcement_create(actor=province_official, title="Phường B", body="…", communes=[actors.COMMUNE_B])
    titles = {a["title"] for a in client.get(f"/api/v1/announcements?commune={actors.COMMUNE_A}").json()}
    assert titles == {"Toàn tỉnh"}


def test_public_alerts_name_the_venue_and_period_only(client):
    venue = actors.make_venue("Chợ Vườn Hoa")
    now = timezone.now()
    person = actors.make_person("Lê Thị Bí Mật", "+84987654321")
    case = Case.objects.create(person=person, confirmed_at=now)
    VenueAlert.objects.create(
        case=case, venue=venue, starts_at=now - timedelta(hours=2), ends_at=now, status=AlertStatus.PUBLISHED
    )
    VenueAlert.objects.create(
        case=case, venue=actors.make_venue("Nháp"), starts_at=now - timedelta(hours=2), ends_at=now
    )
    response = client.get("/api/v1/public/alerts")
    body = response.json()
    assert [a["venue_name"] for a in body] == ["Chợ Vườn Hoa"]
    assert set(body[0]) == {
        "venue_code",
        "venue_name",
        "commune_code",
        "commune_name",
        "starts_at",
        "ends_at",
        "message",
    }
    assert "Bí Mật" not in response.content.decode() and "987654321" not in response.content.decode()
    assert client.get("/api/v1/public/alerts", headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_a_commune_that_is_not_a_number_is_a_422_not_a_500(client):
    assert client.get("/api/v1/announcements?commune=abc").status_code == 422
