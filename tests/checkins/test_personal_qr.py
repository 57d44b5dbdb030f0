import pytest

from qrtrace.checkins.personal_qr import InvalidPersonalCode, person_from_token, personal_token
from qrtrace.checkins.services.personal_codes import personal_code_issue, personal_code_revoke
from qrtrace.people.models import Person
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return personal_code_issue(person=actors.make_person(citizen_id="038085000123"))


def test_the_personal_token_finds_its_person_and_carries_no_personal_data(person):
    token = personal_token(person)
    assert person_from_token(token) == person
    assert "912345678" not in token and "038085000123" not in token and "NGUY" not in token


def test_a_scanner_that_changes_the_case_still_reads_the_token(person):
    assert person_from_token(personal_token(person).lower()) == person


def test_a_forged_token_is_refused(person):
    token = personal_token(person)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    with pytest.raises(InvalidPersonalCode):
        person_from_token(forged)


def test_a_revoked_token_stops_working(person):
    token = personal_token(person)
    personal_code_revoke(person=person)
    with pytest.raises(InvalidPersonalCode):
        person_from_token(token)


def test_reissuing_invalidates_the_old_card_and_the_new_one_works(person):
    old = personal_token(person)
    personal_code_issue(person=person)
    with pytest.raises(InvalidPersonalCode):
        person_from_token(old)
    assert person_from_token(personal_token(person)) == person


def test_my_qr_page_shows_the_codes_of_this_phone_and_can_revoke_them(client, scan_url):
    client.post(scan_url, declaration_form(member_0_name="Nguyễn Thị Bé", member_0_year="2019"))
    assert "Chưa có mã QR" in client.get("/me/qr").content.decode()
    owner = Person.objects.get(guardian__isnull=True)
    ward = Person.objects.get(guardian=owner)
    client.post("/me/qr", {"person": ward.pk, "action": "issue"})
    ward.refresh_from_db()
    page = client.get("/me/qr").content.decode()
    assert "<svg" in page and "Nguyễn Thị Bé" in page
    client.post("/me/qr", {"person": ward.pk, "action": "revoke"})
    ward.refresh_from_db()
    assert ward.personal_code is None


def test_my_qr_refuses_people_of_another_phone(client, scan_url):
    stranger = actors.make_person("Trần Văn X", "+84987654321")
    client.post(scan_url, declaration_form())
    assert client.post("/me/qr", {"person": stranger.pk, "action": "issue"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.personal_code is None


def test_my_qr_without_a_remembered_phone_is_not_found(client):
    assert client.get("/me/qr").status_code == 404
