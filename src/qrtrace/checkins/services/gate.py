"""The gate scanner: staff reading who is in front of them (personal data, so audited)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from qrtrace.accounts.models import ApiToken
from qrtrace.accounts.services import api_token_create, api_token_revoke
from qrtrace.audit.services import audit_event_create
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue

from ..models import CheckIn
from ..selectors import latest_declaration_today, open_checkin


@dataclass(frozen=True)
class GateCard:
    """What the gate staff see after scanning or looking someone up."""

    person: Person
    today: CheckIn | None  # their latest check-in today, carrying today's declaration
    inside: CheckIn | None  # their open visit at this venue


@transaction.atomic
def person_gate_read(*, staff, venue: Venue, person: Person, request=None) -> GateCard:
    """Show `person` to the staff of `venue` (an official reading personal data: audited)."""
    audit_event_create(
        actor=staff,
        action="read",
        object_type="person",
        object_id=person.pk,
        purpose=f"gate of venue {venue.code}",
        request=request,
        person_ids=[person.pk],
    )
    return GateCard(
        person=person,
        today=latest_declaration_today(person=person),
        inside=open_checkin(person=person, venue=venue),
    )


# --- Gate devices ------------------------------------------------------------------------------------
# A phone or laptop at the gate that keeps scanning with no network holds an API token of the staff
# member who enrolled it, named after the venue, and sends its queue with it (POST /checkins/batch).
# The token carries that person's rights (venue staff: their venue only); revoking it cuts a lost
# device off at its next sync, whatever it has queued.


def _device_name(venue: Venue) -> str:
    return f"gate:{venue.code}"


def gate_device_enrol(*, staff, venue: Venue) -> str:
    """A new device token for the gate of `venue`, in clear (shown to the device once)."""
    return api_token_create(user=staff, name=_device_name(venue))


def gate_device_list(*, staff, venue: Venue) -> QuerySet[ApiToken]:
    """The devices `staff` enrolled at this gate that still work, newest first."""
    return ApiToken.objects.filter(user=staff, name=_device_name(venue), revoked_at__isnull=True).order_by(
        "-created_at"
    )


def gate_device_revoke(*, staff, venue: Venue, prefix: str) -> bool:
    """Cut off one of the devices `staff` enrolled here; False if there is no such device."""
    token = gate_device_list(staff=staff, venue=venue).filter(prefix=prefix).first()
    if token is None:
        return False
    api_token_revoke(token=token, actor=staff)
    return True
