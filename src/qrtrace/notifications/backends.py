"""Where messages go. Each backend has `send(*, channel, address, body) -> provider reference` and
raises DeliveryError (or any network error) when the message did not go out; the worker retries."""

import base64
import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail


class DeliveryError(Exception):
    pass


class Backend(Protocol):
    def send(self, *, channel: str, address: str, body: str) -> str: ...


class ConsoleBackend:
    """Development: print the message."""

    def send(self, *, channel: str, address: str, body: str) -> str:
        sys.stdout.write(f"[{channel} → {address}] {body}\n")
        return ""


class FileBackend:
    """Development and demos: append one JSON line per message to QRTRACE_NOTIFY_FILE."""

    def send(self, *, channel: str, address: str, body: str) -> str:
        line = {"at": datetime.now(UTC).isoformat(), "channel": channel, "to": address, "body": body}
        with settings.QRTRACE_NOTIFY_FILE.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        return ""


class SmtpBackend:
    """E-mail through Django's mail settings (EMAIL_HOST, …)."""

    def send(self, *, channel: str, address: str, body: str) -> str:
        if channel != "email":
            raise DeliveryError(f"The SMTP backend cannot send {channel} messages.")
        send_mail("QRTrace", body, None, [address], fail_silently=False)
        return ""


class HttpSmsBackend:
    """An SMS gateway: POST {"to", "text"} as JSON with basic auth; any 2xx answer is accepted and its
    JSON `id` (if any) kept as the provider reference."""

    def send(self, *, channel: str, address: str, body: str) -> str:
        if channel != "sms":
            raise DeliveryError(f"The SMS gateway cannot send {channel} messages.")
        credentials = f"{settings.QRTRACE_SMS_GATEWAY_USER}:{settings.QRTRACE_SMS_GATEWAY_PASSWORD}"
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting, http(s) only
            settings.QRTRACE_SMS_GATEWAY_URL,
            data=json.dumps({"to": address, "text": body}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.QRTRACE_SMS_GATEWAY_TIMEOUT) as answer:  # noqa: S310
                payload = answer.read(10_000)
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"SMS gateway answered {error.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise DeliveryError(f"SMS gateway unreachable: {error}.") from None
        try:
            return str(json.loads(payload).get("id", ""))[:100]
        except (ValueError, AttributeError):
            return ""


# What the fake backend "sent": (to, body), oldest first; one process's memory, as a phone's inbox.
FAKE_OUTBOX: list[tuple[str, str]] = []


class FakeBackend:
    """Tests and demos: keep each message in FAKE_OUTBOX (notifications.fake_gateway reads it)."""

    def send(self, *, channel: str, address: str, body: str) -> str:
        FAKE_OUTBOX.append((address, body))
        return f"fake-{len(FAKE_OUTBOX)}"


BACKENDS: dict[str, type] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "smtp": SmtpBackend,
    "http": HttpSmsBackend,
    "fake": FakeBackend,
}


def get_backend() -> Backend:
    return BACKENDS[settings.QRTRACE_NOTIFY_BACKEND]()
