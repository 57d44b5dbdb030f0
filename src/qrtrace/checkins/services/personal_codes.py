"""Personal QR codes (checkins.personal_qr): issuing a card's code and revoking it."""

from django.db import transaction

from qrtrace.audit.services import audit_event_create
from qrtrace.people.models import Person

from ..personal_qr import new_personal_code


def personal_code_issue(*, person: Person, actor=None, request=None) -> Person:
    """Give `person` a new personal code; any earlier card stops working."""
    return _personal_code_set(person, new_personal_code(), action="issue", actor=actor, request=request)


def personal_code_revoke(*, person: Person, actor=None, request=None) -> Person:
    """Invalidate `person`'s personal code (a lost card) until a new one is issued."""
    return _personal_code_set(person, None, action="revoke", actor=actor, request=request)


@transaction.atomic
def _personal_code_set(person: Person, code: str | None, *, action: str, actor, request) -> Person:
    person.personal_code = code
    person.save(update_fields=["personal_code"])
    if actor is not None:  # staff issuing a card for someone; a citizen's own phone is not audited
        audit_event_create(
            actor=actor,
            action=action,
            object_type="personal_code",
            object_id=person.pk,
            request=request,
            person_ids=[person.pk],
        )
    return person
