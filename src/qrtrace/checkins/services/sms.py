"""Checking in by text message, for a feature phone: "QR 7KX2P9" on entering, "RA 7KX2P9" on leaving.

The sender's number is the one thing an SMS proves (the province's gateway, not the sender, says who
sent it), so the person is found, or made, by that number alone; nothing else about them changes.
The reply is the notifications app's business (it sits above this one); this module answers what
happened, and `notifications.inbound` words it.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from qrtrace.lib.errors import Conflict
from qrtrace.people.identity import Identity
from qrtrace.people.models import Person
from qrtrace.people.selectors import phone_hash, phone_owner
from qrtrace.people.services import person_find_or_create, person_lock
from qrtrace.venues.models import Venue
from qrtrace.venues.selectors import venue_by_code

from ..flags import max_stay
from ..models import CheckIn, CheckInMethod, CheckOutMethod
from ..selectors import recent_visits
from .visits import CLOCK_SKEW, checkin_checkout, checkin_create, require_open_for

# "QR 7KX2P9", "VAO 7KX2P9", or the code alone: entering; "RA 7KX2P9": leaving. Accents, case and
# spacing do not count ("vào 7kx2p9", "Ra  7KX2P9").
_ENTER = re.compile(r"^(?:(?:QR|VAO|IN) )?([0-9A-Z]{4,12})$")
_LEAVE = re.compile(r"^(?:RA|OUT) ([0-9A-Z]{4,12})$")


class SmsOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    NOT_INSIDE = "not_inside"  # "RA …" with no open visit there
    UNKNOWN_CODE = "unknown_code"  # no such venue, or one taking no check-ins now
    MALFORMED = "malformed"


@dataclass(frozen=True)
class SmsCheckIn:
    outcome: SmsOutcome
    person: Person | None  # None when the sender is unknown and nothing was recorded
    venue: Venue | None = None
    checkin: CheckIn | None = None
    code: str = ""


def sms_command_parse(text: str) -> tuple[str, str] | None:
    """("in" | "out", venue code) from a message's text, or None."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    folded = " ".join(folded.replace("Đ", "D").split())
    if match := _LEAVE.match(folded):
        return "out", match.group(1)
    if match := _ENTER.match(folded):
        return "in", match.group(1)
    return None


@transaction.atomic
def checkin_by_sms(*, phone: str, text: str) -> SmsCheckIn:
    """Record what the text from `phone` (normalised, +84…) asks; a sender QRTrace has never seen is
    made a person only when the text checks them in somewhere."""
    command = sms_command_parse(text)
    known = phone_owner(phone_hash=phone_hash(phone))
    person = person_lock(person_id=known.id) if known is not None else None
    if command is None:
        return SmsCheckIn(SmsOutcome.MALFORMED, person)
    direction, code = command
    venue = venue_by_code(code)
    if venue is not None:
        try:
            require_open_for(venue, None)
        except Conflict:
            venue = None
    if venue is None:
        return SmsCheckIn(SmsOutcome.UNKNOWN_CODE, person, code=code)
    if direction == "out":
        return _leave(person, venue, code)
    if person is None:
        person, _created = person_find_or_create(identity=Identity(full_name="", phone=phone))
    checkin, _created = checkin_create(venue=venue, person=person, method=CheckInMethod.SMS)
    return SmsCheckIn(SmsOutcome.CHECKED_IN, person, venue, checkin, code)


def _leave(person: Person | None, venue: Venue, code: str) -> SmsCheckIn:
    if person is None:
        return SmsCheckIn(SmsOutcome.NOT_INSIDE, None, venue, code=code)
    now = timezone.now()
    # An open visit is younger than the longest stay tracing accepts (the automatic check-out closes
    # the others).
    visits = recent_visits(person_id=person.pk, since=now - max_stay(), until=now + CLOCK_SKEW)
    inside = next((v for v in visits if v.venue_id == venue.pk and v.left_at is None), None)
    if inside is None:
        return SmsCheckIn(SmsOutcome.NOT_INSIDE, person, venue, code=code)
    checkin = CheckIn.objects.get(pk=inside.id, entered_at=inside.entered_at)
    checkin = checkin_checkout(checkin=checkin, method=CheckOutMethod.SMS)
    return SmsCheckIn(SmsOutcome.CHECKED_OUT, person, venue, checkin, code)
