"""Check-in by SMS for a feature phone, driven through the fake gateway: it texts the webhook as the
province's provider would and keeps what QRTrace texts back."""

from urllib.parse import urlencode

import pytest

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.services.sms import checkin_by_sms, sms_command_parse
from qrtrace.notifications.backends import FAKE_OUTBOX
from qrtrace.notifications.fake_gateway import FakeGateway
from qrtrace.notifications.inbound import SIGNATURE_HEADER, sign
from qrtrace.people.models import Person
from qrtrace.venues.services import venue_suspend
from tests import actors
from tests.threads import at_once

pytestmark = pytest.mark.django_db

PHONE = "0912 777 888"
NUMBER = "+84912777888"


@pytest.fixture
def gateway(settings, client):
    settings.QRTRACE_SMS_INBOUND_SECRET = "gateway-shared-secret"
    settings.QRTRACE_NOTIFY_BACKEND = "fake"
    settings.LANGUAGE_CODE = "vi"
    FAKE_OUTBOX.clear()
    yield FakeGateway(client=client)
    FAKE_OUTBOX.clear()


@pytest.fixture
def venue(db):
    return actors.make_venue("Chợ Vườn Hoa", kind="market")


def test_a_text_checks_a_new_number_in_and_the_reply_names_the_venue_and_time(gateway, venue):
    response = gateway.text(PHONE, f"QR {venue.code}", message_id="m1")

    assert response.status_code == 200
    assert response.json()["outcome"] == "checked_in"
    checkin = CheckIn.objects.get()
    assert (checkin.venue, checkin.method, checkin.person.phone) == (venue, "sms", NUMBER)
    [reply] = gateway.replies(NUMBER)
    assert "Chợ Vườn Hoa" in reply
    assert f"RA {venue.code}" in reply
    assert checkin.entered_at.astimezone().strftime("%d/%m/%Y") in reply


def test_texting_ra_checks_out_and_replies(gateway, venue):
    gateway.text(PHONE, f"qr {venue.code.lower()}", message_id="m1")

    response = gateway.text(PHONE, f"Ra  {venue.code}", message_id="m2")

    assert response.json()["outcome"] == "checked_out"
    checkin = CheckIn.objects.get()
    assert checkin.left_at is not None and checkin.checkout_method == "sms"
    assert len(gateway.replies(NUMBER)) == 2


def test_a_known_person_keeps_their_name_and_details(gateway, venue):
    actors.make_person("Trần Thị Bình", NUMBER, birth_year=1950)

    gateway.text(PHONE, f"VÀO {venue.code}")

    person = Person.objects.get()
    assert (person.full_name, person.birth_year) == ("Trần Thị Bình", 1950)
    assert CheckIn.objects.get().person == person


def test_the_same_message_delivered_twice_records_and_replies_once(gateway, venue):
    gateway.text(PHONE, f"QR {venue.code}", message_id="dup-1")
    gateway.text(PHONE, f"QR {venue.code}", message_id="dup-1")

    assert CheckIn.objects.count() == 1
    assert len(gateway.replies(NUMBER)) == 1


def test_an_unknown_code_from_a_known_number_gets_a_clear_reply_and_records_nothing(gateway, venue):
    actors.make_person("Trần Thị Bình", NUMBER)

    response = gateway.text(PHONE, "QR ZZZZ99")

    assert response.json()["outcome"] == "unknown_code"
    assert CheckIn.objects.count() == 0
    [reply] = gateway.replies(NUMBER)
    assert "ZZZZ99" in reply


def test_a_suspended_venue_is_an_unknown_code(gateway, venue, province_official):
    venue_suspend(venue=venue, actor=province_official, reason="đóng cửa")

    assert gateway.text(PHONE, f"QR {venue.code}").json()["outcome"] == "unknown_code"
    assert CheckIn.objects.count() == 0


def test_a_stranger_texting_nonsense_is_neither_kept_nor_answered(gateway, venue):
    response = gateway.text(PHONE, "xin chào, cho hỏi giá rau hôm nay")

    assert response.json() == {"outcome": "malformed", "reply": ""}
    assert Person.objects.count() == 0
    assert gateway.replies(NUMBER) == []


def test_a_flood_from_one_number_stops_being_answered(gateway, venue, settings):
    settings.QRTRACE_RATELIMIT_SMS_PHONE_PER_HOUR = 3
    outcomes = [
        gateway.text(PHONE, f"QR {venue.code}", message_id=f"f{n}").json()["outcome"] for n in range(5)
    ]

    assert outcomes == ["checked_in", "checked_in", "checked_in", "limited", "limited"]
    assert CheckIn.objects.count() == 1  # still inside: the repeats were the same visit
    assert len(gateway.replies(NUMBER)) == 3


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc"])
def test_a_bad_signature_is_403_and_stores_nothing(gateway, venue, signature):
    response = gateway.text(PHONE, f"QR {venue.code}", signature=signature)

    assert response.status_code == 403
    assert (Person.objects.count(), CheckIn.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)
    assert gateway.replies(NUMBER) == []


def test_without_a_configured_secret_every_call_is_refused(gateway, venue, settings):
    settings.QRTRACE_SMS_INBOUND_SECRET = ""

    assert FakeGateway(secret="guess").text(PHONE, f"QR {venue.code}").status_code == 403
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[1, 2]", "application/json"),
        (b"{not json", "application/json"),
        (b'{"from": "0912777888"}', "application/json"),
        (b'{"from": ["0912777888"], "text": "QR X"}', "application/json"),
        (b'{"from": "12", "text": "QR ABCD12"}', "application/json"),
    ],
)
def test_a_malformed_call_is_a_400_with_a_reason(gateway, client, body, content_type):
    response = client.post(
        "/sms/inbound",
        body,
        content_type=content_type,
        headers={SIGNATURE_HEADER: sign(body, "gateway-shared-secret")},
    )

    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_form_encoded_call_works_like_json(gateway, client, venue):
    body = urlencode({"from": PHONE, "text": f"QR {venue.code}", "id": "form-1"}).encode()
    response = client.post(
        "/sms/inbound",
        body,
        content_type="application/x-www-form-urlencoded",
        headers={SIGNATURE_HEADER: sign(body, "gateway-shared-secret")},
    )

    assert response.json()["outcome"] == "checked_in"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("QR 7KX2P9", ("in", "7KX2P9")),
        ("  vào   7kx2p9 ", ("in", "7KX2P9")),
        ("7KX2P9", ("in", "7KX2P9")),
        ("RA 7KX2P9", ("out", "7KX2P9")),
        ("ra 7kx2p9", ("out", "7KX2P9")),
        ("QR", None),
        ("hello world", None),
        ("QR 7KX2P9 please", None),
    ],
)
def test_texts_are_read_whatever_their_case_accents_and_spacing(text, parsed):
    assert sms_command_parse(text) == parsed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_texts_from_a_known_number_at_once_record_one_check_in():
    """Two messages (not one delivered twice) arrive together: the sender's row is locked, so the
    second waits and finds the first visit."""
    venue = actors.make_venue("Chợ Vườn Hoa", kind="market")
    person = actors.make_person("Lê Văn Cụ", NUMBER)

    def text():
        return checkin_by_sms(phone=NUMBER, text=f"QR {venue.code}").checkin.pk

    assert len(set(at_once([text] * 4))) == 1
    assert CheckIn.objects.filter(person=person).count() == 1
