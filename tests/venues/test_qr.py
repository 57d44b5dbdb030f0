import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from qrtrace.lib.signing import ALPHABET
from qrtrace.venues.models import Venue, VenueStatus
from qrtrace.venues.qr import InvalidVenueCode, venue_from_token, venue_token
from qrtrace.venues.selectors import VENUE_CACHE_SECONDS
from qrtrace.venues.services import venue_qr_revoke, venue_qr_rotate, venue_suspend
from qrtrace.venues.views import invalid_code_response

pytestmark = pytest.mark.django_db


def _other_char(char: str) -> str:
    return ALPHABET[(ALPHABET.index(char) + 1) % len(ALPHABET)]


def _rejected(token: str, **kwargs) -> InvalidVenueCode:
    with pytest.raises(InvalidVenueCode) as caught:
        venue_from_token(token, **kwargs)
    return caught.value


def test_a_genuine_token_finds_its_venue(venue):
    assert venue_from_token(venue_token(venue)) == venue


def test_a_token_read_in_lower_case_still_works(venue):
    assert venue_from_token(venue_token(venue).lower()) == venue


# A token is 7 code characters, a dot, then the key version and 10 signature characters.
@pytest.mark.parametrize("position", [*range(7), *range(8, 19)])
def test_changing_any_one_character_of_code_or_signature_is_refused(venue, position):
    token = venue_token(venue)
    tampered = token[:position] + _other_char(token[position]) + token[position + 1 :]
    assert _rejected(tampered).status == 404


def test_a_signature_with_an_unknown_key_version_is_refused(venue):
    code, signature = venue_token(venue).split(".")
    assert _rejected(f"{code}.9{signature[1:]}").reason == "bad_signature"


def test_a_suspended_venues_code_is_gone_at_once_though_it_was_just_scanned(venue, commune_official):
    assert venue_from_token(venue_token(venue)) == venue  # the venue is now kept by this process
    venue_suspend(actor=commune_official, venue=venue, reason="Vi phạm quy định")
    assert _rejected(venue_token(venue)).status == 410


def test_scans_read_the_venue_once_in_a_few_seconds(venue, django_assert_num_queries):
    token = venue_token(venue)
    with django_assert_num_queries(1):
        for _ in range(3):
            assert venue_from_token(token) == venue


def test_a_change_made_by_another_process_is_seen_within_the_venues_few_seconds(venue):
    """Another process's save clears only its own copies; here an UPDATE sends no signal either."""
    token = venue_token(venue)
    venue_from_token(token)
    Venue.objects.filter(pk=venue.pk).update(status=VenueStatus.SUSPENDED)
    assert venue_from_token(token) == venue  # the copy kept for a few seconds
    later = time.monotonic() + VENUE_CACHE_SECONDS
    with mock.patch("qrtrace.venues.selectors.time.monotonic", return_value=later):
        assert _rejected(token).status == 410


def test_a_pending_venues_code_is_not_valid_yet(venue):
    venue.status = VenueStatus.PENDING
    venue.save()
    assert _rejected(venue_token(venue)).status == 404


def test_a_revoked_code_stops_at_once_and_the_new_one_works(venue, commune_official):
    old = venue_token(venue)
    venue_from_token(old)
    venue_qr_revoke(actor=commune_official, venue=venue)
    _rejected(old)
    assert venue_from_token(venue_token(venue)) == venue


def test_a_rotated_code_works_during_the_grace_period_and_stops_after_it(venue, commune_official, settings):
    settings.QRTRACE_QR_GRACE_DAYS = 7
    old = venue_token(venue)
    venue_qr_rotate(actor=commune_official, venue=venue)
    now = timezone.now()
    assert venue_from_token(old, now=now + timedelta(days=6, hours=23)) == venue
    _rejected(old, now=now + timedelta(days=7, minutes=1))
    assert venue_from_token(venue_token(venue), now=now + timedelta(days=30)) == venue


def test_revoking_after_a_rotation_ends_the_grace_period(venue, commune_official):
    old = venue_token(venue)
    venue_qr_rotate(actor=commune_official, venue=venue)
    venue_qr_revoke(actor=commune_official, venue=venue)
    _rejected(old)


def test_the_invalid_code_page_says_so_in_vietnamese_with_the_status(rf, venue):
    token = venue_token(venue)
    tampered = token[:-1] + ("1" if token.endswith("0") else "0")  # always a different last character
    exc = _rejected(tampered)
    response = invalid_code_response(rf.get("/v/x"), exc)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Mã này không hợp lệ" in page
    assert "Không có thông tin nào được ghi nhận" in page


def test_the_invalid_code_page_for_a_withdrawn_code_is_410(rf, venue, commune_official):
    venue_suspend(actor=commune_official, venue=venue, reason="Đóng cửa")
    response = invalid_code_response(rf.get("/v/x"), _rejected(venue_token(venue)))
    assert response.status_code == 410
    assert "đã bị thu hồi" in response.content.decode()
