import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.services.visitor_log import visitor_log_read
from qrtrace.privacy.my_data import STEP_SECONDS, my_data_code_send, my_data_verify
from qrtrace.privacy.views import COOKIE

from .conftest import PHONE

pytestmark = pytest.mark.django_db


def _code(client, sms, phone: str = "0912 345 678") -> tuple[str, str]:
    """Ask for a code on the page; returns (the signed ticket on the code form, the SMS code)."""
    page = client.post("/my-data", {"phone": phone}).content.decode()
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    (_to, body), *_rest = sms()
    return ticket, re.search(r"\b(\d{6})\b", body).group(1)


def test_a_person_sees_their_and_their_sons_check_ins_and_which_official_read_them_and_why(
    client, sms, family, commune_official
):
    *_people, market = family
    visitor_log_read(
        user=commune_official,
        venue=market,
        checkins=list(CheckIn.objects.all()),
        action="export",
        filters={},
        purpose="truy vết ca F0 số 12",
    )
    ticket, code = _code(client, sms)
    response = client.post("/my-data/verify", {"ticket": ticket, "code": code})
    assert response.status_code == 302 and response.url == "/my-data/records"
    page = client.get("/my-data/records").content.decode()
    assert "Chợ Vườn Hoa" in page and "Nguyễn Thị Mai" in page and "Lê Văn Bình" in page
    assert "Trạm Y tế xã, phường · Phường Hạc Thành" in page and "truy vết ca F0 số 12" in page
    assert "tram_a" not in page  # the role and area, never the official's account name


def test_the_sms_goes_to_the_phone_and_the_page_keeps_no_phone_number_in_clear(client, sms, family):
    page = client.post("/my-data", {"phone": "0912345678"}).content.decode()
    assert "912345678" not in page
    [(to, body)] = sms()
    assert to == PHONE and "mã" in body  # the SMS is in Vietnamese


def test_opening_the_page_is_itself_recorded_and_listed(client, sms, family):
    ticket, code = _code(client, sms)
    client.post("/my-data/verify", {"ticket": ticket, "code": code})
    event = AuditEvent.objects.get(action="my_data_view")
    assert set(event.subjects.values_list("person_id", flat=True)) == {p.pk for p in family[:2]}
    assert "Bạn, sau khi xác minh số điện thoại" in client.get("/my-data/records").content.decode()


def test_a_wrong_code_shows_nothing_and_sets_no_cookie(client, sms, family):
    ticket, code = _code(client, sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/my-data/verify", {"ticket": ticket, "code": wrong})
    assert response.status_code == 400 and "Mã này không đúng" in response.content.decode()
    assert COOKIE not in response.cookies
    assert client.get("/my-data/records").status_code == 403


def test_an_unknown_phone_gets_the_same_page_and_no_sms(client, sms, family):
    known = client.post("/my-data", {"phone": "0912345678"})
    unknown = client.post("/my-data", {"phone": "0987654321"})
    assert unknown.status_code == known.status_code == 200
    assert len(sms()) == 1


def test_a_code_works_in_its_time_step_and_the_next_only(family):
    sent_at = timezone.now()
    with mock.patch("qrtrace.privacy.my_data.messages_enqueue") as enqueue:
        my_data_code_send(phone=PHONE, ip="198.51.100.1", now=sent_at)
    code = re.search(r"\d{6}", enqueue.call_args.kwargs["outgoing"][0].body).group()
    step = timedelta(seconds=STEP_SECONDS)

    def works(after: timedelta) -> bool:
        return my_data_verify(phone=PHONE, code=code, ip="198.51.100.1", now=sent_at + after) is not None

    assert works(timedelta(0)) and works(step)
    assert not works(2 * step)


def test_a_forged_ticket_for_another_phone_is_refused(client, sms, family):
    _ticket, code = _code(client, sms)
    response = client.post("/my-data/verify", {"ticket": "+84912345678:forged", "code": code})
    assert response.status_code == 400 and COOKIE not in response.cookies


def test_asking_for_codes_too_often_is_a_429_in_vietnamese(client, sms, family, settings):
    settings.QRTRACE_RATELIMIT_OTP_PHONE_PER_HOUR = 2
    statuses = [client.post("/my-data", {"phone": "0912345678"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "Đã yêu cầu quá nhiều mã" in client.post("/my-data", {"phone": "0912345678"}).content.decode()


def test_guessing_stops_after_ten_wrong_codes_even_before_the_right_one(client, sms, family):
    ticket, code = _code(client, sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(10):
        client.post("/my-data/verify", {"ticket": ticket, "code": wrong})
    response = client.post("/my-data/verify", {"ticket": ticket, "code": code})
    assert response.status_code == 429 and COOKIE not in response.cookies


def test_the_verified_page_closes_after_15_minutes(client, sms, family):
    ticket, code = _code(client, sms)
    client.post("/my-data/verify", {"ticket": ticket, "code": code})
    assert client.get("/my-data/records").status_code == 200
    later = timezone.now().timestamp() + 16 * 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get("/my-data/records")
    assert response.status_code == 403 and "đã hết hạn" in response.content.decode()


@pytest.mark.parametrize("phone", ["12345", "", "+1 202 555 0100", "0912345678" * 3])
def test_a_bad_phone_number_is_explained_and_no_sms_is_sent(client, sms, family, phone):
    response = client.post("/my-data", {"phone": phone})
    assert response.status_code == 400
    assert not sms()


def test_one_network_asking_codes_for_many_phones_is_limited_too(client, sms, family, settings):
    settings.QRTRACE_RATELIMIT_OTP_IP_PER_HOUR = 2
    statuses = [client.post("/my-data", {"phone": f"09123456{n:02d}"}).status_code for n in range(3)]
    other_network = client.post("/my-data", {"phone": "0912345699"}, REMOTE_ADDR="203.0.113.7")
    assert statuses == [200, 200, 429] and other_network.status_code == 200


def test_the_page_says_what_was_done_and_why_in_words_not_codes(client, sms, family, commune_official):
    *_people, market = family
    visitor_log_read(
        user=commune_official, venue=market, checkins=list(CheckIn.objects.all()), action="read", filters={}
    )
    ticket, code = _code(client, sms)
    client.post("/my-data/verify", {"ticket": ticket, "code": code})
    page = client.get("/my-data/records").content.decode()
    assert f"sổ khách ra vào của địa điểm {market.code}" in page and "đã xem" in page
    assert f"visitor log of venue {market.code}" not in page
