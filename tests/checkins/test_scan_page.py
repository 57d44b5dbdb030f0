import re

import pytest
from django.contrib.staticfiles import finders

from qrtrace.checkins.hooks import alert_providers
from qrtrace.checkins.models import CheckIn, CheckInMethod, CheckOutMethod, Device, Risk
from qrtrace.checkins.views import DEVICE_COOKIE
from qrtrace.people.models import Person
from qrtrace.venues.models import VenueStatus
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db


def _page_weight(html: str) -> int:
    """Bytes of the HTML plus every stylesheet and script it loads (what a phone downloads)."""
    total = len(html.encode())
    for href in re.findall(r'(?:href|src)="/static/([^"]+)"', html):
        with open(finders.find(href), "rb") as asset:
            total += len(asset.read())
    return total


def test_the_scan_page_shows_the_venue_name_and_the_vietnamese_form(client, scan_url, venue):
    page = client.get(scan_url).content.decode()
    assert venue.name in page
    assert "Khai báo y tế" in page and "Số điện thoại" in page


def test_the_scan_page_with_its_css_stays_under_30_kb_and_needs_no_javascript(client, scan_url):
    page = client.get(scan_url).content.decode()
    assert (weight := _page_weight(page)) < 30 * 1024, weight
    assert "<script" not in page  # the form is a plain POST: it works with JavaScript off


def test_submitting_the_form_records_a_check_in_and_shows_the_confirmation(client, scan_url, venue):
    response = client.post(scan_url, declaration_form(fever="on"), follow=True)
    checkin = CheckIn.objects.get()
    assert (checkin.venue, checkin.method, checkin.risk) == (venue, CheckInMethod.SELF_SCAN, Risk.RED)
    assert checkin.person.phone == "+84912345678" and checkin.person.commune_id is not None
    page = response.content.decode()
    assert "Nguyễn Văn A" in page and venue.name in page and "status-red" in page
    assert "Ra về" in page  # the check-out button


def test_a_double_submit_creates_one_check_in(client, scan_url):
    client.post(scan_url, declaration_form())
    client.post(scan_url, declaration_form())
    assert CheckIn.objects.count() == 1 and Person.objects.count() == 1


def test_a_bad_phone_number_is_explained_and_nothing_is_saved(client, scan_url):
    response = client.post(scan_url, declaration_form(phone="12345"))
    assert response.status_code == 400
    assert "số điện thoại Việt Nam hợp lệ" in response.content.decode()
    assert not CheckIn.objects.exists() and not Person.objects.exists()


def test_the_check_out_button_records_the_time_and_the_method(client, scan_url):
    receipt = client.post(scan_url, declaration_form()).url
    client.post(f"{receipt}/checkout", {"via": "button"})
    checkin = CheckIn.objects.get()
    assert checkin.left_at is not None and checkin.checkout_method == CheckOutMethod.BUTTON


def test_a_returning_phone_is_offered_a_one_tap_check_in(client, scan_url, other_venue):
    client.post(scan_url, declaration_form())
    assert DEVICE_COOKIE in client.cookies and Device.objects.count() == 1
    assert "0912" not in client.cookies[DEVICE_COOKIE].value  # the cookie holds no personal data
    elsewhere = f"/v/{venue_token(other_venue)}"
    page = client.get(elsewhere).content.decode()
    assert "Khai báo với tên Nguyễn Văn A?" in page
    client.post(elsewhere, {})
    assert CheckIn.objects.filter(venue=other_venue, person__full_name="Nguyễn Văn A").exists()


def test_scanning_again_while_inside_offers_check_out_recorded_as_a_rescan(client, scan_url):
    client.post(scan_url, declaration_form())
    page = client.get(scan_url).content.decode()
    assert "Ra về ngay" in page
    ref = re.search(r'action="/c/([^"]+)/checkout"', page).group(1)
    client.post(f"/c/{ref}/checkout", {"via": "rescan"})
    assert CheckIn.objects.get().checkout_method == CheckOutMethod.RESCAN


def test_someone_else_on_a_remembered_phone_gets_the_full_form(client, scan_url):
    client.post(scan_url, declaration_form())
    page = client.get(f"{scan_url}?someone_else=1").content.decode()
    assert 'name="full_name"' in page
    client.post(f"{scan_url}?someone_else=1", declaration_form(full_name="Trần Thị B", phone="0987654321"))
    assert Person.objects.count() == 2 and CheckIn.objects.count() == 2


def test_a_family_checks_in_with_one_submission_and_again_in_one_tap(client, scan_url, other_venue):
    form = declaration_form(member_0_name="Nguyễn Thị Bé", member_0_year="2019")
    client.post(scan_url, form)
    ward = Person.objects.get(full_name="Nguyễn Thị Bé")
    assert ward.guardian.full_name == "Nguyễn Văn A" and ward.phone is None
    client.post(f"/v/{venue_token(other_venue)}", {"ward": [str(ward.pk)]})
    assert CheckIn.objects.filter(venue=other_venue).count() == 2


def test_a_family_member_without_a_birth_year_is_explained(client, scan_url):
    response = client.post(scan_url, declaration_form(member_0_name="Nguyễn Thị Bé"))
    assert response.status_code == 400 and not CheckIn.objects.exists()


@pytest.mark.parametrize("spoil", ["tampered", "revoked", "suspended"])
def test_an_invalid_code_shows_the_invalid_page_and_records_nothing(client, venue, spoil):
    token = venue_token(venue)
    if spoil == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif spoil == "revoked":
        venue.qr_version += 1
        venue.save()
    else:
        venue.status = VenueStatus.SUSPENDED
        venue.save()
    response = client.post(f"/v/{token}", declaration_form())
    assert response.status_code in (404, 410)
    assert venue.name not in response.content.decode()
    assert not CheckIn.objects.exists() and not Person.objects.exists()


def test_a_returning_phone_sees_alerts_for_venues_its_person_visited(client, scan_url, venue, other_venue):
    client.post(scan_url, declaration_form())
    elsewhere = actors.make_venue("Chợ Không Ghé")
    seen = []

    def provider(venue_ids, since):
        seen.append(venue_ids)  # None: the alerts running anywhere, then the visits to those venues
        return [
            {"venue_id": v.pk, "venue_name": v.name, "start": since, "end": since, "message": ""}
            for v in (venue, elsewhere)
        ]

    alert_providers.append(provider)
    try:
        page = client.get(f"/v/{venue_token(other_venue)}").content.decode()
    finally:
        alert_providers.remove(provider)
    assert seen == [None]
    assert "Cảnh báo" in page and venue.name in page
    assert elsewhere.name not in page  # an alert at a venue the person never visited


def test_with_no_alert_running_a_returning_phones_page_reads_none_of_its_visits(
    client, scan_url, other_venue
):
    """Most days no alert runs: the page of a remembered phone then reads none of its two weeks of
    visits (it used to read them all, a table row per visit, on every scan)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(scan_url, declaration_form())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/v/{venue_token(other_venue)}").content.decode()
    assert "Cảnh báo" not in page and 'name="full_name"' not in page  # the one-tap page, no warning
    visits = [q["sql"] for q in queries if "DISTINCT venue_id" in q["sql"]]
    assert visits == []


def test_a_returning_phone_checks_in_with_a_handful_of_sql_statements(
    client, scan_url, django_assert_max_num_queries
):
    client.post(scan_url, declaration_form())
    client.post(scan_url, {})  # the device's rate-limit bucket now exists, as it does for a regular
    CheckIn.objects.all().delete()
    # Venue, device + person, "already inside?", INSERT; the test's transaction adds a SAVEPOINT and
    # its RELEASE where production has BEGIN and COMMIT. The device's and the address's rate-limit
    # buckets add 4 each (a transaction of their own, the row locked and read, then updated).
    with django_assert_max_num_queries(6 + 2 * 4):
        client.post(scan_url, {})
    assert CheckIn.objects.count() == 1


def test_a_scan_and_its_declarations_read_the_venue_once(client, scan_url):
    """The page's GET and POST find their venue kept by the process (venues.selectors.venue_by_code);
    the receipt does not read it again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(scan_url).status_code == 200
        assert client.post(scan_url, declaration_form()).status_code == 302
        receipt = client.get(client.post(scan_url, declaration_form()).url)
    assert receipt.status_code == 200 and CheckIn.objects.count() == 1  # the second POST: already inside
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "venues_venue"' in q["sql"]]
    assert len(reads) == 1


def test_the_scan_page_switches_to_english(client, scan_url, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(scan_url).content.decode()
    assert "Full name" in page and "Health declaration" in page


def test_forgetting_the_phone_ends_the_one_tap_offer(client, scan_url):
    client.post(scan_url, declaration_form())
    client.post("/me/forget")
    assert not Device.objects.exists()
    assert 'name="full_name"' in client.get(scan_url).content.decode()


def test_a_receipt_link_signed_with_its_ids_only_still_opens_and_checks_out(client, scan_url):
    """Receipts signed before their earliest time of entry was added (2026-12-02) are valid for a day."""
    from django.core import signing

    from qrtrace.checkins.views import _RECEIPT_SALT

    client.post(scan_url, declaration_form())
    checkin = CheckIn.objects.get()
    ref = signing.dumps([checkin.pk], salt=_RECEIPT_SALT, compress=True)
    assert "Nguyễn Văn A" in client.get(f"/c/{ref}").content.decode()
    client.post(f"/c/{ref}/checkout", {"via": "button"})
    assert CheckIn.objects.get().checkout_method == CheckOutMethod.BUTTON


def test_a_receipt_holds_its_check_ins_earliest_time_of_entry_and_shows_them_all(client, scan_url):
    from django.core import signing

    from qrtrace.checkins.views import _RECEIPT_SALT

    receipt = client.post(scan_url, declaration_form(member_0_name="Nguyễn Thị Bé", member_0_year="2019"))
    ids, since = signing.loads(receipt["Location"].removeprefix("/c/"), salt=_RECEIPT_SALT)
    earliest = min(CheckIn.objects.values_list("entered_at", flat=True))
    assert sorted(ids) == sorted(CheckIn.objects.values_list("pk", flat=True)) and since == int(
        earliest.timestamp()
    )
    page = client.get(receipt["Location"]).content.decode()
    assert "Nguyễn Văn A" in page and "Nguyễn Thị Bé" in page


def test_a_phone_remembered_before_phones_had_to_be_proven_is_a_stranger(client, scan_url):
    client.post(scan_url, declaration_form())
    assert "Nguyễn Văn A" in client.get(scan_url).content.decode()  # remembered: "you checked in here"
    assert client.get("/me/qr").status_code == 200
    Device.objects.update(trust="")  # as rows made before issue 12
    page = client.get(scan_url).content.decode()
    assert 'name="full_name"' in page and "Nguyễn Văn A" not in page
    assert client.get("/me/qr").status_code == 404
