import pytest
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, CheckInMethod
from qrtrace.venues.qr import venue_token
from tests import actors


@pytest.fixture
def venue(db):
    return actors.make_venue("Chợ Vườn Hoa", kind="market")


@pytest.fixture
def other_venue(db):
    """A second venue in the same commune: its staff must not reach `venue`, nor the reverse."""
    return actors.make_venue("Siêu thị Hạc Thành", kind="shop")


@pytest.fixture
def venue_staff(venue):
    return actors.make_official("gate_a", "venue", venue.code)


@pytest.fixture
def other_venue_staff(other_venue):
    return actors.make_official("gate_b", "venue", other_venue.code)


@pytest.fixture
def scan_url(venue):
    return f"/v/{venue_token(venue)}"


@pytest.fixture
def make_checkin():
    def make(venue, person, **fields):
        fields.setdefault("entered_at", timezone.now())
        fields.setdefault("method", CheckInMethod.SELF_SCAN)
        return CheckIn.objects.create(venue=venue, person=person, **fields)

    return make


def declaration_form(**answers) -> dict:
    """POST data for a first check-in from a phone: the person, then ticked declaration boxes."""
    data = {
        "full_name": "Nguyễn Văn A",
        "phone": "0912 345 678",
        "birth_year": "1985",
        "citizen_id": "",
        "commune": str(actors.COMMUNE_A),
        "remember": "on",
    }
    return data | {key: value for key, value in answers.items()}
