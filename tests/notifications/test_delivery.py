import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from qrtrace.notifications.models import Message, MessageStatus
from qrtrace.notifications.services import Outgoing, messages_deliver, messages_enqueue, retry_delay
from tests import actors

pytestmark = pytest.mark.django_db


class Gateway(BaseHTTPRequestHandler):
    """A tiny SMS gateway: answers with the status the test sets, and remembers what it got."""

    status = 200
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.headers["Authorization"], body))
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "gw-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.status, Gateway.received = 200, []
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.QRTRACE_NOTIFY_BACKEND = "http"
    settings.QRTRACE_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.QRTRACE_SMS_GATEWAY_USER, settings.QRTRACE_SMS_GATEWAY_PASSWORD = "qrtrace", "s3cret"
    yield Gateway
    server.shutdown()
    server.server_close()


def _queue(person, reference="case:1"):
    return messages_enqueue(reference=reference, outgoing=[Outgoing(person=person, body="Xin chào")])


def test_queuing_the_same_reference_twice_makes_one_message():
    person = actors.make_person()
    assert _queue(person) == 1
    assert _queue(person) == 0
    assert Message.objects.count() == 1


def test_the_http_gateway_receives_the_number_and_text_with_credentials(gateway):
    person = actors.make_person(phone="+84912345678")
    _queue(person)
    assert messages_deliver() == 1
    auth, body = gateway.received[0]
    assert body == {"to": "+84912345678", "text": "Xin chào"}
    assert auth == "Basic cXJ0cmFjZTpzM2NyZXQ="
    message = Message.objects.get()
    assert (message.status, message.provider_ref, message.attempts) == (MessageStatus.SENT, "gw-1", 1)


def test_a_failed_send_is_retried_later_with_its_error_visible_then_succeeds(gateway):
    _queue(actors.make_person())
    gateway.status = 503
    assert messages_deliver() == 0
    message = Message.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.RETRYING, 1)
    assert "503" in message.last_error
    assert messages_deliver() == 0  # not due yet: backoff
    gateway.status = 200
    assert messages_deliver(now=message.next_attempt_at) == 1
    assert Message.objects.get().status == MessageStatus.SENT
    assert len(gateway.received) == 2


def test_after_the_last_attempt_a_message_is_marked_failed(gateway, settings):
    settings.QRTRACE_NOTIFY_MAX_ATTEMPTS = 2
    _queue(actors.make_person())
    gateway.status = 500
    messages_deliver()
    messages_deliver(now=timezone.now() + timedelta(hours=2))
    assert Message.objects.get().status == MessageStatus.FAILED


def test_an_unreachable_gateway_is_a_retry_not_a_crash(settings):
    settings.QRTRACE_NOTIFY_BACKEND = "http"
    settings.QRTRACE_SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    _queue(actors.make_person())
    messages_deliver()
    message = Message.objects.get()
    assert message.status == MessageStatus.RETRYING
    assert "unreachable" in message.last_error


def test_backoff_doubles_and_stops_at_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(20) == timedelta(hours=1)


def test_the_file_backend_appends_one_json_line(settings, tmp_path):
    settings.QRTRACE_NOTIFY_BACKEND, settings.QRTRACE_NOTIFY_FILE = "file", tmp_path / "out.log"
    _queue(actors.make_person(phone="+84912345678"))
    messages_deliver()
    line = json.loads((tmp_path / "out.log").read_text(encoding="utf-8"))
    assert (line["to"], line["body"]) == ("+84912345678", "Xin chào")


def test_the_smtp_backend_sends_email_and_refuses_sms(settings):
    settings.QRTRACE_NOTIFY_BACKEND = "smtp"
    person = actors.make_person()
    Message.objects.create(
        person=person,
        reference="x:1",
        channel="email",
        address="a@example.org",
        body="B",
        next_attempt_at=timezone.now(),
    )
    _queue(person, reference="x:2")
    messages_deliver()
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert Message.objects.get(reference="x:2").status == MessageStatus.RETRYING


def test_a_ward_is_reached_through_the_guardians_phone():
    guardian = actors.make_person(phone="+84912345678")
    child = actors.make_person("Bé", phone=None, guardian=guardian)
    _queue(child)
    assert Message.objects.get().address == "+84912345678"


def test_someone_with_no_phone_at_all_is_marked_failed_at_once():
    _queue(actors.make_person("Không điện thoại", phone=None))
    message = Message.objects.get()
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "no phone number")
