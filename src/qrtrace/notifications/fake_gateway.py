"""An SMS provider in process, playing both sides, for tests and demos: it texts QRTrace's webhook
as a phone would (signed as the real gateway signs) and keeps what QRTrace sends back
(QRTRACE_NOTIFY_BACKEND=fake)."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.test import Client
from django.urls import reverse

from .backends import FAKE_OUTBOX
from .inbound import SIGNATURE_HEADER, sign
from .services import messages_deliver


@dataclass
class FakeGateway:
    secret: str = ""
    client: Client | None = None

    def text(self, phone: str, body: str, *, message_id: str = "", signature: str | None = None):
        """Deliver a text from `phone` to QRTrace's webhook; returns the webhook's response."""
        payload = json.dumps({"from": phone, "text": body, "id": message_id}).encode()
        secret = self.secret or settings.QRTRACE_SMS_INBOUND_SECRET
        return (self.client or Client()).post(
            reverse("notifications:sms-inbound"),
            payload,
            content_type="application/json",
            headers={SIGNATURE_HEADER: signature if signature is not None else sign(payload, secret)},
        )

    def replies(self, phone: str) -> list[str]:
        """What QRTrace has sent to `phone` so far (due messages are delivered first)."""
        messages_deliver()  # the worker's job, done here at once
        return [body for to, body in FAKE_OUTBOX if to == phone]
