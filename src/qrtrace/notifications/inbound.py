"""Text messages coming in from the province's SMS gateway: check-in and check-out by SMS.

The gateway POSTs each message to /sms/inbound as JSON or a form, `from` (the sender's number),
`text` and optionally `id` (its own message id), signed with the shared secret: header
`X-QRTrace-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. Any provider can be set up to send
that, or put behind a few lines of glue. A wrong or missing signature stores nothing.

What the text asks is done by `checkins.services.sms`; the answer goes back as an ordinary outbound
SMS, queued here once per incoming message (its reference is unique per person), so a gateway
delivering the same message twice gets one reply. A sender QRTrace does not know gets no reply to a
text it cannot act on: a reply needs a person to address, and a stranger's typo is no reason to keep
their number.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qrtrace.checkins.services.sms import SmsCheckIn, SmsOutcome, checkin_by_sms
from qrtrace.lib.ratelimit import ratelimit_allow
from qrtrace.people.models import Person
from qrtrace.people.selectors import phone_hash, phone_owner

from .services import Outgoing, messages_enqueue

SIGNATURE_HEADER = "X-QRTrace-Signature"

# Words the apps above answer, registered when they load (the public app: "TUCHOI" stops announcement
# SMS). A handler gets the sender's number and the whole text and returns its reply.
KeywordHandler = Callable[..., str]
keyword_handlers: dict[str, KeywordHandler] = {}


def register_keyword(word: str, handler: KeywordHandler) -> None:
    """Answer texts whose first word is `word` (any case) with `handler(phone=…, text=…)`."""
    keyword_handlers[word.upper()] = handler


def signature_valid(body: bytes, header: str) -> bool:
    """Whether `header` is "sha256=<hex>" of `body` under the configured secret (none: never)."""
    secret = settings.QRTRACE_SMS_INBOUND_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def sign(body: bytes, secret: str) -> str:
    """The header value a gateway sends with `body` (for the fake gateway and the operator's docs)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Inbound:
    outcome: str  # an SmsOutcome, or "limited"
    reply: str  # "" when none is sent


def sms_inbound_handle(*, phone: str, text: str, message_id: str = "") -> Inbound:
    """Act on one text from `phone` (normalised, +84…) and queue the reply."""
    if not ratelimit_allow(
        scope="sms-in", key=phone, limit=settings.QRTRACE_RATELIMIT_SMS_PHONE_PER_HOUR, period_seconds=3600
    ):
        return Inbound("limited", "")
    words = text.split(maxsplit=1)
    handler = keyword_handlers.get(words[0].upper()) if words else None
    if handler is not None:
        with translation.override(settings.LANGUAGE_CODE):
            reply = handler(phone=phone, text=text)
        known = phone_owner(phone_hash=phone_hash(phone))
        if known is None:
            return Inbound(words[0].lower(), "")
        messages_enqueue(
            reference=_reference(phone, message_id or f"{text}@{timezone.now():%Y%m%d%H%M}"),
            outgoing=[Outgoing(person=Person.objects.get(pk=known.id), body=reply)],
        )
        return Inbound(words[0].lower(), reply)
    result = checkin_by_sms(phone=phone, text=text)
    with translation.override(settings.LANGUAGE_CODE):
        reply = _reply(result)
    if result.person is not None:
        messages_enqueue(
            reference=_reference(phone, message_id or f"{text}@{timezone.now():%Y%m%d%H%M}"),
            outgoing=[Outgoing(person=result.person, body=reply)],
        )
        return Inbound(result.outcome, reply)
    return Inbound(result.outcome, "")


def _reference(phone: str, message_id: str) -> str:
    digest = hashlib.sha256(f"{phone}|{message_id}".encode()).hexdigest()[:32]
    return f"sms:{digest}"


def _reply(result: SmsCheckIn) -> str:
    if result.outcome == SmsOutcome.CHECKED_IN:
        return _("QRTrace: checked in at %(venue)s at %(time)s. When you leave, text RA %(code)s.") % {
            "venue": result.venue.name,
            "time": timezone.localtime(result.checkin.entered_at).strftime("%H:%M %d/%m/%Y"),
            "code": result.code,
        }
    if result.outcome == SmsOutcome.CHECKED_OUT:
        return _("QRTrace: checked out of %(venue)s at %(time)s. Thank you.") % {
            "venue": result.venue.name,
            "time": timezone.localtime(result.checkin.left_at).strftime("%H:%M %d/%m/%Y"),
        }
    if result.outcome == SmsOutcome.NOT_INSIDE:
        return _("QRTrace: you have no open check-in at %(venue)s.") % {"venue": result.venue.name}
    if result.outcome == SmsOutcome.UNKNOWN_CODE:
        return _("QRTrace: no venue has the code %(code)s. Check the code printed under the QR poster.") % {
            "code": result.code
        }
    return _(
        "QRTrace: text QR and the venue's code when you arrive, RA and the code when you leave. "
        "Example: QR 7KX2P9"
    )
