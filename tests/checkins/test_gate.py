import re

import pytest

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn, CheckInMethod, CheckOutMethod, Risk
from qrtrace.checkins.personal_qr import personal_token
from qrtrace.checkins.services.personal_codes import personal_code_issue
from qrtrace.checkins.services.visits import checkin_staff_create
from qrtrace.lib.crypto import lookup_hash
from qrtrace.people.models import Person
from tests import actors
from tests.threads import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def carded():
    """A grandmother with a printed personal QR card and no phone of her own."""
    cccd = "038045000321"
    grandmother = actors.make_person(
        "Lê Thị Cụ", None, citizen_id=cccd, citizen_id_hash=lookup_hash("citizen_id", cccd)
    )
    return personal_code_issue(person=grandmother)


def _person_ref(page: str) -> str:
    return re.search(r'name="person" value="([^"]+)"', page).group(1)


def test_gate_staff_scan_a_card_see_the_name_and_check_in_with_one_tap(client, venue, venue_staff, carded):
    client.force_login(venue_staff)
    page = client.post(f"/gate/{venue.code}", {"action": "scan", "token": personal_token(carded)})
    text = page.content.decode()
    assert "Lê Thị Cụ" in text and "Hôm nay chưa khai báo y tế" in text
    client.post(
        f"/gate/{venue.code}", {"action": "checkin", "person": _person_ref(text), "method": "staff_scan"}
    )
    checkin = CheckIn.objects.get()
    assert (checkin.person, checkin.venue, checkin.method) == (carded, venue, CheckInMethod.STAFF_SCAN)
    assert checkin.staff == venue_staff
    assert AuditEvent.objects.filter(actor=venue_staff, action="read", subjects__person_id=carded.pk).exists()


def test_scanning_someone_inside_offers_check_out_by_staff(client, venue, venue_staff, carded, make_checkin):
    make_checkin(venue, carded, risk=Risk.YELLOW, contact_with_case=True)
    client.force_login(venue_staff)
    text = client.post(
        f"/gate/{venue.code}", {"action": "scan", "token": personal_token(carded)}
    ).content.decode()
    assert "Có yếu tố dịch tễ" in text and "Ra về" in text
    client.post(f"/gate/{venue.code}", {"action": "checkout", "person": _person_ref(text)})
    checkin = CheckIn.objects.get()
    assert checkin.left_at is not None and checkin.checkout_method == CheckOutMethod.STAFF


def test_a_revoked_card_is_refused_at_the_gate(client, venue, venue_staff, carded):
    token = personal_token(carded)
    personal_code_issue(person=carded)
    client.force_login(venue_staff)
    response = client.post(f"/gate/{venue.code}", {"action": "scan", "token": token})
    assert response.status_code == 400 and "không hợp lệ" in response.content.decode()


def test_manual_entry_finds_a_known_person_by_citizen_id(client, venue, venue_staff, carded):
    client.force_login(venue_staff)
    text = client.post(f"/gate/{venue.code}", {"action": "lookup", "query": "038045000321"}).content.decode()
    assert "Lê Thị Cụ" in text
    client.post(
        f"/gate/{venue.code}", {"action": "checkin", "person": _person_ref(text), "method": "staff_entry"}
    )
    assert CheckIn.objects.get().method == CheckInMethod.STAFF_ENTRY


def test_manual_entry_declares_a_new_person_recording_the_staff_member(client, venue, venue_staff):
    client.force_login(venue_staff)
    text = client.post(f"/gate/{venue.code}", {"action": "lookup", "query": "0977 111 222"}).content.decode()
    assert "Khai hộ" in text and 'value="+84977111222"' in text
    client.post(
        f"/gate/{venue.code}",
        {
            "action": "enter",
            "full_name": "Phạm Văn D",
            "birth_year": "1950",
            "phone": "+84977111222",
            "cough": "on",
        },
    )
    checkin = CheckIn.objects.get()
    assert (checkin.person.full_name, checkin.risk, checkin.staff) == ("Phạm Văn D", Risk.RED, venue_staff)
    assert checkin.method == CheckInMethod.STAFF_ENTRY


def test_manual_entry_without_phone_or_citizen_id_is_explained(client, venue, venue_staff):
    client.force_login(venue_staff)
    response = client.post(
        f"/gate/{venue.code}", {"action": "enter", "full_name": "Phạm Văn D", "birth_year": "1950"}
    )
    assert response.status_code == 400 and "Cần có số điện thoại hoặc số CCCD" in response.content.decode()
    assert not Person.objects.exists()


def test_staff_of_venue_a_cannot_open_or_scan_into_venue_b(client, venue, other_venue, venue_staff, carded):
    client.force_login(venue_staff)
    assert client.get(f"/gate/{other_venue.code}").status_code == 404
    # Even with a valid person reference taken from their own gate, venue B stays closed to them.
    text = client.post(
        f"/gate/{venue.code}", {"action": "scan", "token": personal_token(carded)}
    ).content.decode()
    response = client.post(f"/gate/{other_venue.code}", {"action": "checkin", "person": _person_ref(text)})
    assert response.status_code == 404 and not CheckIn.objects.exists()


def test_the_gate_needs_a_signed_in_official(client, venue):
    assert client.get(f"/gate/{venue.code}").status_code == 302


def test_a_forged_person_reference_is_not_found(client, venue, venue_staff, carded):
    client.force_login(venue_staff)
    response = client.post(f"/gate/{venue.code}", {"action": "checkin", "person": str(carded.pk)})
    assert response.status_code == 404 and not CheckIn.objects.exists()


def test_the_gate_page_loads_the_camera_decoder_from_static_files(client, venue, venue_staff):
    client.force_login(venue_staff)
    text = client.get(f"/gate/{venue.code}").content.decode()
    assert "/static/jsqr/jsQR.js" in text and "/static/checkins/gate.js" in text


def test_venue_staff_see_only_their_own_venues_to_open_the_gate(client, venue, other_venue, venue_staff):
    client.force_login(venue_staff)
    text = client.get("/gate/").content.decode()
    assert venue.name in text and other_venue.name not in text
    assert f'href="/gate/{venue.code}"' in text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_card_scanned_twice_at_once_records_one_check_in(venue, venue_staff, carded):
    """Two gate devices (or one camera reading a card twice) check the same card in at one moment:
    the person's row is locked, so the second waits and finds the first visit."""

    def scan():
        checkin = checkin_staff_create(
            staff=venue_staff, venue=venue, method=CheckInMethod.STAFF_SCAN, declaration={}, person=carded
        )
        return checkin.pk

    assert len(set(at_once([scan] * 4))) == 1
    assert CheckIn.objects.filter(person=carded).count() == 1
