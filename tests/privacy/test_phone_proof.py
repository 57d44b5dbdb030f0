"""The trusted path for a citizen (issue 12 §1): prove the phone by an SMS code, then be remembered on
this phone (cards, family, one-tap check-in) and correct one's own details, audited."""

import pytest

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import Device, DeviceTrust
from qrtrace.checkins.views import DEVICE_COOKIE
from qrtrace.people.models import Person
from qrtrace.venues.qr import venue_token
from tests import actors
from tests.checkins.conftest import declaration_form

from .test_my_data import _code

pytestmark = pytest.mark.django_db


def _prove(client, sms) -> None:
    ticket, code = _code(client, sms)
    assert client.post("/my-data/verify", {"ticket": ticket, "code": code}).status_code == 302


def test_after_the_sms_code_the_phone_is_remembered_and_shows_the_familys_cards(client, sms, family):
    assert client.get("/me/qr").status_code == 404
    _prove(client, sms)
    response = client.post("/my-data/remember")
    assert response.status_code == 302 and response.url == "/me/qr"
    assert Device.objects.get().trust == DeviceTrust.SMS
    page = client.get("/me/qr").content.decode()
    assert "Nguyễn Thị Mai" in page and "Lê Văn Bình" in page
    elsewhere = actors.make_venue("Siêu thị Hạc Thành")  # not the market, where she is still inside
    scan = client.get(f"/v/{venue_token(elsewhere)}").content.decode()
    assert "Khai báo với tên Nguyễn Thị Mai?" in scan and "Lê Văn Bình" in scan


def test_without_the_code_neither_remembering_nor_correcting_is_possible(client, family):
    assert client.post("/my-data/remember").status_code == 403
    assert client.post("/my-data/details", {"full_name": "X", "birth_year": "1990"}).status_code == 403
    assert not Device.objects.exists()
    assert Person.objects.get(pk=family[0].pk).full_name == "Nguyễn Thị Mai"


def test_proving_the_phone_forgets_a_phone_that_declared_the_number_first(client, sms, db):
    """Someone typed this number before its owner ever checked in: their phone created the person and
    was remembered. The owner proving the number takes it back."""
    market = actors.make_venue("Chợ Vườn Hoa")
    from django.test import Client

    squatter = Client()
    squatter.post(f"/v/{venue_token(market)}", declaration_form(full_name="Nguyễn Thị Mai"))
    assert squatter.get("/me/qr").status_code == 200
    _prove(client, sms)
    client.post("/my-data/remember")
    assert squatter.get("/me/qr").status_code == 404
    assert client.get("/me/qr").status_code == 200
    assert DEVICE_COOKIE in client.cookies


def test_a_person_corrects_their_details_after_the_code_and_the_audit_says_it_was_them(client, sms, family):
    mother, *_ = family
    _prove(client, sms)
    page = client.get("/my-data/details").content.decode()
    assert 'inputmode="numeric"' in page and "Nguyễn Thị Mai" in page
    response = client.post(
        "/my-data/details",
        {"full_name": "Nguyễn  Thị Mai Anh", "birth_year": "1980", "commune": str(actors.COMMUNE_B)},
    )
    assert response.status_code == 302
    mother.refresh_from_db()
    assert (mother.full_name, mother.birth_year, mother.commune_id) == (
        "Nguyễn Thị Mai Anh",
        1980,
        actors.COMMUNE_B,
    )
    event = AuditEvent.objects.get(action="update", object_type="person")
    assert event.actor_id is None and event.details == {"fields": "full_name,birth_year,commune_id"}
    records = client.get("/my-data/records").content.decode()
    assert records.count("Bạn, sau khi xác minh số điện thoại") >= 2  # the view and the change


def test_a_wrong_year_is_explained_and_nothing_changes(client, sms, family):
    _prove(client, sms)
    response = client.post("/my-data/details", {"full_name": "Nguyễn Thị Mai", "birth_year": "18"})
    assert response.status_code == 400
    assert Person.objects.get(pk=family[0].pk).birth_year is None
    assert not AuditEvent.objects.filter(action="update").exists()
