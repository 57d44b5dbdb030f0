import pytest
from django.urls import reverse
from django.utils import timezone

from qrtrace.venues.models import PosterBatch, Venue, VenueStatus
from qrtrace.venues.services import venue_register
from tests import actors
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Nhà thuốc An Khang",
    "kind": "shop",
    "address": "5 Bà Triệu",
    "commune": actors.COMMUNE_A,
    "contact_phone": "0912 345 678",
}


def _pending():
    return venue_register(
        name="Tiệm vàng",
        kind="shop",
        address="3 Lê Lợi",
        commune_code=actors.COMMUNE_A,
        contact_phone="0912345678",
    )


def test_the_public_form_is_vietnamese_and_lists_the_provinces_communes(client):
    page = client.get(reverse("venues:register")).content.decode()
    assert "Đăng ký địa điểm để nhận mã QR khai báo y tế" in page
    assert "Phường Hạc Thành" in page
    assert "Xã Anh Sơn" not in page  # a commune of Nghệ An


def test_applying_through_the_form_creates_a_pending_venue(client):
    response = client.post(reverse("venues:register"), FORM)
    venue = Venue.objects.get()
    assert venue.status == VenueStatus.PENDING
    assert f"mã địa điểm {venue.code}" in response.content.decode()


def test_a_duplicate_application_is_shown_as_a_form_error(client):
    client.post(reverse("venues:register"), FORM)
    response = client.post(reverse("venues:register"), FORM)
    assert response.status_code == 400
    assert "đã đăng ký với số điện thoại này" in response.content.decode()
    assert Venue.objects.count() == 1


def test_a_bad_phone_is_shown_as_a_form_error(client):
    response = client.post(reverse("venues:register"), {**FORM, "contact_phone": "123"})
    assert response.status_code == 400
    assert not Venue.objects.exists()


def test_an_official_lists_approves_and_rejects_in_their_area(client, commune_official):
    client.force_login(commune_official)
    first, second = (
        _pending(),
        venue_register(
            name="Hiệu sách",
            kind="shop",
            address="4 Lê Lợi",
            commune_code=actors.COMMUNE_A,
            contact_phone="0912345679",
        ),
    )
    assert "Tiệm vàng" in client.get(reverse("venues:list")).content.decode()
    client.post(reverse("venues:action", args=[first.pk, "approve"]))
    client.post(reverse("venues:action", args=[second.pk, "reject"]), {"reason": "Không có thật"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.status_note) == ("active", "rejected", "Không có thật")


def test_an_official_of_another_commune_cannot_see_a_venue_page(client, other_commune_official):
    venue = actors.make_venue()
    client.force_login(other_commune_official)
    assert client.get(reverse("venues:detail", args=[venue.pk])).status_code == 404
    assert venue.name not in client.get(reverse("venues:list")).content.decode()


def test_an_official_of_another_commune_cannot_approve_on_the_page(client, other_commune_official):
    venue = _pending()
    client.force_login(other_commune_official)
    assert client.post(reverse("venues:action", args=[venue.pk, "approve"])).status_code == 404
    venue.refresh_from_db()
    assert venue.status == VenueStatus.PENDING


def test_an_official_of_another_commune_cannot_edit_on_the_page(client, other_commune_official):
    venue = actors.make_venue()
    client.force_login(other_commune_official)
    response = client.post(
        reverse("venues:edit", args=[venue.pk]), {"name": "Đổi", "kind": "market", "address": "x"}
    )
    assert response.status_code == 404
    venue.refresh_from_db()
    assert venue.name == "Chợ Vườn Hoa"


def test_a_manager_sees_my_venues_edits_and_downloads_the_poster(client, venue, venue_manager):
    actors.make_venue("Chợ khác")
    client.force_login(venue_manager)
    page = client.get(reverse("venues:list")).content.decode()
    assert "Địa điểm của tôi" in page and venue.name in page and "Chợ khác" not in page
    response = client.post(
        reverse("venues:edit", args=[venue.pk]),
        {
            "name": "Chợ Vườn Hoa (cổng chính)",
            "kind": "market",
            "address": "1 Lê Lợi",
            "default_stay_minutes": 40,
        },
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.name, venue.default_stay_minutes) == ("Chợ Vườn Hoa (cổng chính)", 40)
    assert client.get(reverse("venues:poster", args=[venue.pk]))["Content-Type"] == "application/pdf"
    assert client.get(reverse("venues:qr", args=[venue.pk, "svg"]))["Content-Type"] == "image/svg+xml"
    assert client.get(reverse("venues:qr", args=[venue.pk, "png"]))["Content-Type"] == "image/png"


def test_an_official_adds_a_venue_with_the_form(client, commune_official):
    client.force_login(commune_official)
    response = client.post(
        reverse("venues:new"),
        {"name": "UBND phường", "kind": "agency", "address": "2 Lê Lợi", "commune": actors.COMMUNE_A},
    )
    venue = Venue.objects.get()
    assert response.url == reverse("venues:detail", args=[venue.pk])
    assert (venue.status, venue.default_stay_minutes) == ("active", 240)


def test_a_commune_batch_is_prepared_and_then_downloadable(
    client, commune_official, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    actors.make_venue("Chợ 1")
    actors.make_venue("Chợ 2")
    client.force_login(commune_official)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("venues:batches"), {"commune": actors.COMMUNE_A})
    assert len(callbacks) == 1  # the background build is queued after the request's transaction
    batch = PosterBatch.objects.get()
    assert "Đang chuẩn bị" in client.get(reverse("venues:batches")).content.decode()
    assert run_queued_tasks() == 1  # what the worker runs
    assert "Tải về (2 mã QR)" in client.get(reverse("venues:batches")).content.decode()
    response = client.get(reverse("venues:batch_download", args=[batch.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (tmp_path / "posters" / f"batch-{batch.pk}.pdf").exists()


def test_an_official_cannot_batch_another_communes_posters(client, other_commune_official):
    client.force_login(other_commune_official)
    # Only their own commune is offered: another one is refused as a choice not on the list.
    assert client.post(reverse("venues:batches"), {"commune": actors.COMMUNE_A}).status_code == 400
    assert not PosterBatch.objects.exists()


def test_a_batch_whose_build_keeps_failing_says_so_after_the_last_try(
    commune_official, django_capture_on_commit_callbacks, settings, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    from qrtrace.venues.services import poster_batch_create

    settings.QRTRACE_TASK_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        batch = poster_batch_create(actor=commune_official, commune_code=actors.COMMUNE_A)
    monkeypatch.setattr("qrtrace.venues.services.poster_pdf", _broken_font)
    assert run_queued_tasks() == 1
    batch.refresh_from_db()
    assert batch.status == PosterBatch.Status.RUNNING  # a first failure: tried again later
    DBTaskResult.objects.update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    batch.refresh_from_db()
    assert batch.status == PosterBatch.Status.FAILED
    assert DBTaskResult.objects.get().status == "FAILED"


def _broken_font(venues):
    raise RuntimeError("font missing")
