import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qrtrace.audit.models import AuditEvent
from qrtrace.lib.errors import Conflict
from qrtrace.venues.models import Venue, VenueStatus
from qrtrace.venues.services import venue_approve, venue_create, venue_register, venue_reject
from tests import actors

pytestmark = pytest.mark.django_db

APPLICATION = {
    "name": "Quán Phở Gà  Hạc Thành",
    "kind": "restaurant",
    "address": "12 Trần Phú",
    "commune_code": actors.COMMUNE_A,
    "contact_phone": "0912 345 678",
}


def test_a_public_application_is_pending_with_a_code_and_the_kinds_usual_stay():
    venue = venue_register(**APPLICATION)
    assert venue.status == VenueStatus.PENDING
    assert len(venue.code) == 7
    assert venue.contact_phone == "+84912345678"
    assert venue.default_stay_minutes == 90
    assert AuditEvent.objects.filter(action="register", object_id=venue.code).exists()


def test_the_same_phone_name_and_commune_is_a_duplicate_whatever_the_case_and_spacing():
    venue_register(**APPLICATION)
    with pytest.raises(Conflict):
        venue_register(**{**APPLICATION, "name": "QUÁN PHỞ GÀ HẠC THÀNH", "contact_phone": "+84912345678"})
    assert Venue.objects.count() == 1


def test_the_same_phone_may_register_another_venue_or_the_same_name_elsewhere():
    venue_register(**APPLICATION)
    venue_register(**{**APPLICATION, "name": "Quán Phở Gà cơ sở 2"})
    venue_register(**{**APPLICATION, "commune_code": actors.COMMUNE_B})
    assert Venue.objects.count() == 3


def test_a_rejected_application_may_apply_again():
    official = actors.make_official("tram_a", "commune", actors.COMMUNE_A)
    venue_reject(actor=official, venue=venue_register(**APPLICATION), reason="Sai địa chỉ")
    assert venue_register(**APPLICATION).status == VenueStatus.PENDING


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_phone", "12345"),
        ("commune_code", actors.OTHER_PROVINCE_COMMUNE),
        ("kind", "casino"),
        ("name", ""),
    ],
)
def test_an_application_with_a_bad_field_is_refused_and_nothing_is_saved(field, value):
    with pytest.raises(ValidationError) as caught:
        venue_register(**{**APPLICATION, field: value})
    assert field in caught.value.message_dict
    assert not Venue.objects.exists()


def test_a_commune_official_approves_an_application_of_their_commune(commune_official):
    venue = venue_approve(actor=commune_official, venue=venue_register(**APPLICATION))
    assert venue.status == VenueStatus.ACTIVE
    assert venue.approved_by == commune_official
    assert venue.qr_issued_at is not None


def test_approving_an_active_venue_is_a_conflict(commune_official):
    with pytest.raises(Conflict):
        venue_approve(actor=commune_official, venue=actors.make_venue())


def test_an_official_of_another_commune_cannot_approve(other_commune_official):
    venue = venue_register(**APPLICATION)
    with pytest.raises(PermissionDenied):
        venue_approve(actor=other_commune_official, venue=venue)
    venue.refresh_from_db()
    assert venue.status == VenueStatus.PENDING


def test_a_venue_created_by_an_official_is_active_at_once(province_official):
    venue = venue_create(
        actor=province_official,
        name="Trường THCS Điện Biên",
        kind="school",
        address="1 Điện Biên",
        commune_code=actors.COMMUNE_B,
    )
    assert venue.status == VenueStatus.ACTIVE
    assert venue.default_stay_minutes == 480


def test_an_official_cannot_create_a_venue_outside_their_area(other_commune_official):
    with pytest.raises(PermissionDenied):
        venue_create(
            actor=other_commune_official,
            name="Chợ",
            kind="market",
            address="1",
            commune_code=actors.COMMUNE_A,
        )


def test_a_venue_manager_cannot_create_venues(venue_manager):
    with pytest.raises(PermissionDenied):
        venue_create(
            actor=venue_manager, name="Chợ", kind="market", address="1 A", commune_code=actors.COMMUNE_A
        )
