import pytest

from qrtrace.public.models import Announcement
from qrtrace.public.services import announcement_create
from tests import actors

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "title": "Lịch tiêm",
        "body": "Sáng thứ Bảy.",
        "priority": "0",
        "publish_at": "",
        "expires_at": "",
    }
    return data | overrides


def test_a_commune_station_writes_for_its_commune_preselected_and_is_refused_the_whole_province(
    client, commune_official
):
    client.force_login(commune_official)
    page = client.get("/announcements/new").content.decode()
    assert f'<option value="{actors.COMMUNE_A}" selected>' in page
    assert f'value="{actors.COMMUNE_B}"' not in page  # only its own commune is offered
    assert client.post("/announcements/new", _form(communes=[actors.COMMUNE_A])).status_code == 302
    refused = client.post("/announcements/new", _form(title="Toàn tỉnh"))
    assert refused.status_code == 403
    assert list(Announcement.objects.values_list("title", flat=True)) == ["Lịch tiêm"]


def test_a_commune_outside_the_officials_area_is_a_form_error_not_a_500(client, commune_official):
    client.force_login(commune_official)
    response = client.post("/announcements/new", _form(communes=[actors.COMMUNE_B]))
    assert response.status_code == 400 and Announcement.objects.count() == 0


def test_an_expiry_before_publication_is_a_form_error_in_vietnamese(client, province_official):
    client.force_login(province_official)
    response = client.post(
        "/announcements/new", _form(publish_at="2026-12-05T08:00", expires_at="2026-12-04T08:00")
    )
    assert response.status_code == 400
    assert "Thời điểm hết hạn phải sau thời điểm đăng." in response.content.decode()


def test_another_stations_or_the_provinces_announcement_is_404_to_a_commune_station(
    client, province_official, commune_official, other_commune_official
):
    wide = announcement_create(actor=province_official, title="Toàn tỉnh", body="…", communes=[])
    theirs = announcement_create(
        actor=other_commune_official, title="Xã B", body="…", communes=[actors.COMMUNE_B]
    )
    own = announcement_create(actor=commune_official, title="Phường A", body="…", communes=[actors.COMMUNE_A])
    client.force_login(commune_official)
    assert client.get(f"/announcements/{wide.pk}").status_code == 404
    assert client.get(f"/announcements/{theirs.pk}").status_code == 404
    assert client.get(f"/announcements/{own.pk}").status_code == 200
    listed = client.get("/announcements/").content.decode()
    assert "Phường A" in listed and "Xã B" not in listed


def test_the_province_office_edits_and_withdraws_through_the_form(client, province_official):
    item = announcement_create(actor=province_official, title="Cũ", body="…", communes=[actors.COMMUNE_A])
    client.force_login(province_official)
    response = client.post(
        f"/announcements/{item.pk}",
        _form(title="Mới", communes=[actors.COMMUNE_A], publish_at="2026-12-01T08:00", withdrawn="on"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Mới" and item.withdrawn_at is not None


def test_citizens_and_venue_staff_cannot_open_the_announcement_pages(client):
    assert client.get("/announcements/").status_code == 302  # to sign-in
    client.force_login(actors.make_official("staff_a", "venue", actors.make_venue().code))
    assert client.get("/announcements/").status_code == 403
    assert client.get("/feedback/").status_code == 403
