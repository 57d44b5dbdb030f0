"""Issue 12 §1: a phone number and a name are not an identity. Declaring someone else's phone and name
on the public form, at a gate or through the API checks in, but never moves, renames or re-dates the
stored person, and never hands the declaring phone that person's cards, family or history."""

import pytest
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, Device
from qrtrace.checkins.views import DEVICE_COOKIE
from qrtrace.people.models import Person
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db

VICTIM_PHONE = "+84912345678"


@pytest.fixture
def victim(venue):
    """Nguyễn Văn A of Phường Hạc Thành, with a son and a personal QR card, known from a check-in."""
    person = actors.make_person("Nguyễn Văn A", VICTIM_PHONE, birth_year=1985, commune_id=actors.COMMUNE_A)
    person.personal_code = "VICTIMCODE"
    person.save()
    actors.make_person("Nguyễn Văn Con", None, guardian=person, birth_year=2015, personal_code="SONCODE123")
    CheckIn.objects.create(venue=venue, person=person, entered_at=timezone.now(), method="self_scan")
    CheckIn.objects.filter(person=person).update(left_at=timezone.now())
    return person


def _attack(client, scan_url):
    """The attacker's phone posts the form: the victim's phone, the name in capitals, another commune,
    another birth year, "remember me"."""
    return client.post(
        scan_url,
        declaration_form(
            full_name="NGUYỄN VĂN A", birth_year="1999", commune=str(actors.COMMUNE_B), remember="on"
        ),
    )


def test_declaring_a_victims_phone_and_name_in_capitals_neither_moves_nor_renames_them(
    client, scan_url, victim
):
    response = _attack(client, scan_url)
    assert response.status_code == 302  # the check-in itself goes ahead
    victim.refresh_from_db()
    assert (victim.full_name, victim.birth_year, victim.commune_id) == (
        "Nguyễn Văn A",
        1985,
        actors.COMMUNE_A,
    )
    # What was declared is kept with the check-in, for review.
    checkin = CheckIn.objects.filter(person=victim).latest("entered_at")
    assert (checkin.declared_name, checkin.declared_commune_id) == ("NGUYỄN VĂN A", actors.COMMUNE_B)


def test_the_attackers_phone_is_not_remembered_as_the_victim_and_sees_none_of_their_cards(
    client, scan_url, victim
):
    response = _attack(client, scan_url)
    assert not Device.objects.filter(person=victim).exists()
    assert DEVICE_COOKIE not in response.cookies or not response.cookies[DEVICE_COOKIE].value
    assert client.get("/me/qr").status_code == 404
    page = client.get(scan_url).content.decode()
    assert "Nguyễn Văn Con" not in page and "Khai báo với tên" not in page
    assert Person.objects.get(personal_code="SONCODE123").guardian_id == victim.pk  # untouched


def test_the_receipt_tells_a_known_number_how_to_be_remembered(client, scan_url, victim):
    response = _attack(client, scan_url)
    page = client.get(response.url).content.decode()
    assert "/my-data" in page and "SMS" in page


def test_a_phone_that_created_the_person_is_remembered_and_sees_their_cards(client, scan_url, venue):
    client.post(scan_url, declaration_form(remember="on"))
    person = Person.objects.get(phone_hash__isnull=False)
    assert Device.objects.get().person == person
    assert client.get("/me/qr").status_code == 200


def test_a_returning_person_on_a_new_phone_is_not_renamed_by_their_own_spelling(client, scan_url, victim):
    client.post(scan_url, declaration_form(full_name="nguyễn  văn a", commune=str(actors.COMMUNE_A)))
    victim.refresh_from_db()
    assert victim.full_name == "Nguyễn Văn A"
    assert CheckIn.objects.filter(person=victim).count() == 2


def test_gate_manual_entry_with_the_victims_phone_checks_in_without_changing_them(client, venue, victim):
    staff = actors.make_official("gate_a", "venue", venue.code)
    client.force_login(staff)
    data = {"full_name": "NGUYỄN VĂN A", "phone": "0912345678", "birth_year": "1999", "citizen_id": ""}
    data["commune"] = str(actors.COMMUNE_B)
    response = client.post(f"/gate/{venue.code}", {"action": "enter", **data})
    assert response.status_code in (200, 302)
    victim.refresh_from_db()
    assert (victim.full_name, victim.birth_year, victim.commune_id) == (
        "Nguyễn Văn A",
        1985,
        actors.COMMUNE_A,
    )
    assert CheckIn.objects.filter(person=victim).count() == 2


def test_the_check_in_api_with_the_victims_phone_checks_in_without_changing_them(client, venue, victim):
    from qrtrace.accounts.services import api_token_create

    token = api_token_create(user=actors.make_official("cdc", "province", actors.PROVINCE))
    response = client.post(
        "/api/v1/checkins",
        {
            "venue_code": venue.code,
            "person": {
                "phone": "0912345678",
                "full_name": "NGUYỄN VĂN A",
                "birth_year": 1999,
                "commune_code": actors.COMMUNE_B,
            },
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    victim.refresh_from_db()
    assert (victim.full_name, victim.birth_year, victim.commune_id) == (
        "Nguyễn Văn A",
        1985,
        actors.COMMUNE_A,
    )
    checkin = CheckIn.objects.get(pk=response.json()["id"])
    assert (checkin.declared_name, checkin.declared_commune_id) == ("NGUYỄN VĂN A", actors.COMMUNE_B)
