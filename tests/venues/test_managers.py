import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from qrtrace.accounts.models import Membership
from qrtrace.venues.services import venue_qr_rotate, venue_suspend, venue_update
from tests import actors

pytestmark = pytest.mark.django_db


def test_adding_an_official_with_the_venue_role_makes_them_its_manager(venue):
    call_command("official", "add", "bao_ve", "--role", "venue", "--area", venue.code.lower())
    membership = Membership.objects.get(user__username="bao_ve")
    assert (membership.area_code, membership.commune_id) == (venue.code, actors.COMMUNE_A)
    assert list(venue.managers.values_list("username", flat=True)) == ["bao_ve"]


def test_removing_the_membership_removes_the_manager(venue, venue_manager):
    Membership.objects.filter(user=venue_manager).delete()
    assert not venue.managers.exists()


def test_an_unknown_venue_code_is_refused():
    from qrtrace.accounts.services import official_upsert

    with pytest.raises(ValidationError):
        official_upsert(username="x", role="venue", area_code="NOSUCH1")


def test_a_manager_edits_their_venue_and_rotates_its_code(venue, venue_manager):
    venue_update(actor=venue_manager, venue=venue, name="Chợ Vườn Hoa mới", default_stay_minutes=45)
    venue_qr_rotate(actor=venue_manager, venue=venue)
    venue.refresh_from_db()
    assert (venue.name, venue.default_stay_minutes, venue.qr_version) == ("Chợ Vườn Hoa mới", 45, 2)


def test_a_manager_cannot_touch_another_venue(venue_manager):
    other = actors.make_venue("Chợ khác")
    with pytest.raises(PermissionDenied):
        venue_update(actor=venue_manager, venue=other, name="Bị sửa")
    with pytest.raises(PermissionDenied):
        venue_qr_rotate(actor=venue_manager, venue=other)


def test_a_manager_cannot_suspend_their_own_venue(venue, venue_manager):
    with pytest.raises(PermissionDenied):
        venue_suspend(actor=venue_manager, venue=venue, reason="Thử")


def test_an_update_with_an_out_of_range_value_is_refused_and_not_saved(venue, commune_official):
    with pytest.raises(ValidationError):
        venue_update(actor=commune_official, venue=venue, contact_phone="abc")
    venue.refresh_from_db()
    assert venue.contact_phone == ""
