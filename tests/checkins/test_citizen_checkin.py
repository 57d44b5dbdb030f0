"""Issue 13, "Citizen check-in": each family member's own declaration, residence defaulting to the
venue's commune and asked at the gate and in the API, number keypads, a compact group receipt with
one check-out, and a privacy line on the form."""

import re

import pytest

from qrtrace.accounts.services import api_token_create
from qrtrace.checkins.models import CheckIn, Risk
from qrtrace.people.models import Person
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db

FAMILY = {"member_0_name": "Nguyễn Văn Con", "member_0_year": "2015"}
FAMILY |= {"member_1_name": "Nguyễn Văn Ông", "member_1_year": "1948"}


def _risks() -> dict[str, str]:
    return {c.person.full_name: c.risk for c in CheckIn.objects.select_related("person")}


def test_the_submitters_symptoms_are_not_copied_to_family_members(client, scan_url):
    client.post(scan_url, declaration_form(fever="on", **FAMILY))
    assert _risks() == {"Nguyễn Văn A": Risk.RED, "Nguyễn Văn Con": Risk.GREEN, "Nguyễn Văn Ông": Risk.GREEN}


def test_a_family_member_has_their_own_declaration_to_tick(client, scan_url):
    client.post(scan_url, declaration_form(**FAMILY, member_1_cough="on", member_0_contact_with_case="on"))
    assert _risks() == {"Nguyễn Văn A": Risk.GREEN, "Nguyễn Văn Con": Risk.YELLOW, "Nguyễn Văn Ông": Risk.RED}
    assert CheckIn.objects.get(person__full_name="Nguyễn Văn Ông").cough


def test_a_returning_phone_declares_for_each_ward_it_brings(client, scan_url, other_venue):
    from qrtrace.venues.qr import venue_token

    client.post(scan_url, declaration_form(**FAMILY))
    son = Person.objects.get(full_name="Nguyễn Văn Con")
    elsewhere = f"/v/{venue_token(other_venue)}"
    page = client.get(elsewhere).content.decode()
    assert f'name="ward_{son.pk}_fever"' in page
    client.post(elsewhere, {"ward": [str(son.pk)], f"ward_{son.pk}_fever": "on"})
    there = {c.person.full_name: c.risk for c in CheckIn.objects.filter(venue=other_venue)}
    assert there == {"Nguyễn Văn A": Risk.GREEN, "Nguyễn Văn Con": Risk.RED}


def test_residence_defaults_to_the_venues_commune(client, db):
    from qrtrace.venues.qr import venue_token

    venue = actors.make_venue("Chợ Quảng Phú", actors.COMMUNE_B)
    page = client.get(f"/v/{venue_token(venue)}").content.decode()
    assert re.findall(r'<option value="(\d*)" selected>', page) == [str(actors.COMMUNE_B)]


def test_gate_manual_entry_asks_residence_and_stores_it_for_a_new_person(client, venue, venue_staff):
    client.force_login(venue_staff)
    page = client.post(f"/gate/{venue.code}", {"action": "lookup", "query": "0977 111 222"}).content.decode()
    # The entry form, and the one kept for use with no network, both default to the venue's commune.
    assert re.findall(r'<option value="(\d*)" selected>', page) == [str(venue.commune_id)] * 2
    client.post(
        f"/gate/{venue.code}",
        {
            "action": "enter",
            "full_name": "Lê Thị Cụ",
            "phone": "0977111222",
            "birth_year": "1940",
            "citizen_id": "",
            "commune": str(actors.COMMUNE_B),
        },
    )
    assert Person.objects.get(full_name="Lê Thị Cụ").commune_id == actors.COMMUNE_B


def test_the_check_in_api_takes_the_residence_of_a_new_person(client, venue):
    token = api_token_create(user=actors.make_official("cdc", "province", actors.PROVINCE))
    body = {
        "venue_code": venue.code,
        "person": {"phone": "0977111222", "full_name": "Lê Thị Cụ", "commune_code": actors.COMMUNE_B},
    }
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/checkins", body, content_type="application/json", headers=headers)
    assert response.status_code == 201
    assert Person.objects.get(pk=response.json()["person_id"]).commune_id == actors.COMMUNE_B
    body["person"]["commune_code"] = 99999
    refused = client.post("/api/v1/checkins", body, content_type="application/json", headers=headers)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "commune_code"


def test_phone_citizen_id_and_years_open_a_number_keypad(client, scan_url):
    page = client.get(scan_url).content.decode()
    assert re.search(r'<input type="tel" name="phone"[^>]*inputmode="tel"', page)
    for name in ("birth_year", "citizen_id", "member_0_year"):
        assert re.search(rf'<input type="text" name="{name}"[^>]*inputmode="numeric"', page), name


def test_a_group_receipt_shows_compact_cards_and_one_check_out_for_everyone(client, scan_url):
    receipt = client.post(scan_url, declaration_form(**FAMILY)).url
    page = client.get(receipt).content.decode()
    assert page.count('class="receipt card status-') == 3
    assert page.count('class="venue"') == 1 and page.count('class="time"') == 1  # said once
    assert page.count("/checkout") == 1 and "Một lần ra về cho cả 3 người" in page
    client.post(f"{receipt}/checkout", {"via": "button"})
    assert not CheckIn.objects.filter(left_at__isnull=True).exists()


def test_the_form_says_what_is_kept_for_how_long_and_who_sees_it(client, scan_url, settings):
    page = client.get(scan_url).content.decode()
    line = re.search(r'<p class="muted privacy">(.*?)</p>', page, re.S).group(1)
    assert f"{settings.QRTRACE_RETENTION_DAYS} ngày" in line and "cán bộ y tế" in line
    assert 'href="/my-data"' in line
