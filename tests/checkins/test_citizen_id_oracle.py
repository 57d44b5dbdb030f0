"""A citizen ID registered to another phone: the same neutral outcome whether or not it is known, never
a 500 (issue 12, "Oracles and server errors"). A self-declaration proves nothing, so the ID is not
attached to the declaring phone; the check-in itself is recorded."""

import pytest

from qrtrace.checkins.models import CheckIn
from qrtrace.lib.crypto import lookup_hash
from qrtrace.people.models import Person
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db

TAKEN = "038045000321"
FREE = "038045000999"


@pytest.fixture
def holder():
    return actors.make_person(
        "Lê Thị Cụ", "+84912000111", citizen_id=TAKEN, citizen_id_hash=lookup_hash("citizen_id", TAKEN)
    )


def _outcome(response) -> tuple[int, str]:
    """Status and where it leads (the receipt's signed reference aside)."""
    location = response["Location"] if response.has_header("Location") else ""
    return response.status_code, location.rsplit("/", 1)[0]


def test_the_public_form_answers_the_same_for_a_taken_and_a_free_citizen_id(client, scan_url, holder):
    taken = client.post(scan_url, declaration_form(citizen_id=TAKEN))
    client.cookies.clear()
    free = client.post(scan_url, declaration_form(citizen_id=FREE, phone="0912 000 222", full_name="Trần B"))
    assert taken.status_code == free.status_code == 302
    assert _outcome(taken) == _outcome(free)
    assert CheckIn.objects.count() == 2
    declarer = Person.objects.get(phone_hash=lookup_hash("phone", "+84912345678"))
    assert declarer.citizen_id is None  # someone else's ID is not attached to the declaring phone
    assert Person.objects.get(pk=holder.pk).citizen_id == TAKEN


def test_gate_manual_entry_with_a_taken_citizen_id_checks_in_without_a_500(client, venue, holder):
    staff = actors.make_official("gate", "venue", venue.code)
    client.force_login(staff)
    response = client.post(
        f"/gate/{venue.code}",
        {
            "action": "enter",
            "full_name": "Phạm Văn D",
            "birth_year": "1950",
            "phone": "+84977111222",
            "citizen_id": TAKEN,
        },
    )
    assert response.status_code in (200, 302), response.content.decode()[-3000:]
    checkin = CheckIn.objects.get()
    assert checkin.person.full_name == "Phạm Văn D"
    assert checkin.person.citizen_id is None
