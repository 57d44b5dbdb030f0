"""The gate scanner: staff reading who is in front of them (personal data, so audited)."""

from dataclasses import dataclass

from django.db import transaction

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
