"""A gate device's queue, sent at once: up to 500 check-ins and check-outs in one request.

Each item carries the id the device gave it (`client_id`) when it was recorded, perhaps offline hours
ago. The batch is one transaction, so a device that lost the answer resends it whole, and every item
is answered on its own: recorded, a duplicate (already here, from this batch sent before or from
another device's), or refused with the reason. A bad item never costs the others.

Items arrive already parsed by the API's schema (a refused one carries its reason); this module checks
what needs the database: the venue and the caller's area, whether the venue took visits then, and
what was recorded before.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.permissions import can_use_gate
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict
from qrtrace.people.identity import Identity
from qrtrace.people.models import Person
from qrtrace.people.services import PersonUpsert
from qrtrace.venues.models import Venue

from ..models import CheckIn, CheckInMethod, CheckOutMethod
from ..personal_qr import InvalidPersonalCode, person_from_token
from ..selectors import venue_by_code
from ..signals import late_checkins_recorded
from .visits import LATE_AFTER, checkin_checkout, checkin_create, require_open_for

MAX_ITEMS = 500
RETRIES = 3


class Outcome:
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass
class VisitItem:
    """A check-in as the device recorded it."""

    client_id: UUID
    venue_code: str
    identity: Identity | None  # as declared at the gate; or
    personal_code: str | None = None  # a personal QR card scanned there (checked here, not on the device)
    declaration: dict | None = None
    entered_at: datetime | None = None
    left_at: datetime | None = None


@dataclass
class LeaveItem:
    """A check-out of a visit the device recorded before (named by that visit's client id)."""

    client_id: UUID
    left_at: datetime


@dataclass
class Refused:
    """An item the schema could not read: answered as refused, with why."""

    client_id: UUID | None
    reason: object


@dataclass
class ItemResult:
    index: int
    client_id: UUID | None
    status: str
    id: int | None = None
    reason: object = None


@dataclass
class BatchResult:
    items: list[ItemResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


def checkins_batch_record(
    *, user, items: Sequence[VisitItem | LeaveItem | Refused], request=None
) -> BatchResult:
    """Record a gate device's queue (see the module's docstring); one transaction for the batch."""
    if len(items) > MAX_ITEMS:
        raise ValidationError(_("A batch holds at most %(max)d items.") % {"max": MAX_ITEMS})
    # What needs no write lock is done first: venues, area checks, people's hashes and encryption.
    venues = _venues(user, {item.venue_code for item in items if isinstance(item, VisitItem)})
    upserts: dict[int, PersonUpsert | Person | Refused] = {}
    for index, item in enumerate(items):
        if isinstance(item, VisitItem) and venues.get(item.venue_code.strip().upper()) is not None:
            upserts[index] = _who(item)
    for _attempt in range(RETRIES):
        try:
            return _record(user=user, items=items, venues=venues, upserts=upserts, request=request)
        except (IntegrityError, OperationalError):
            # Two devices sent the same items at the same moment: on PostgreSQL both saw them absent and
            # the second INSERT met the first's row, or each waited on the other's (a deadlock, one
            # transaction chosen to fail). The batch's transaction is gone; again, they are duplicates.
            continue
    return _record(user=user, items=items, venues=venues, upserts=upserts, request=request)


def _who(item: VisitItem) -> PersonUpsert | Person | Refused:
    if item.personal_code is not None:
        try:
            return person_from_token(item.personal_code)
        except InvalidPersonalCode:
            reason = _("This personal QR code is not valid: it was revoked or replaced.")
            return Refused(item.client_id, {"personal_code": [reason]})
    try:
        return PersonUpsert.prepare(item.identity)
    except ValidationError as error:  # e.g. a citizen ID that is another person's
        return Refused(item.client_id, _reason(error))


def _reason(error: ValidationError) -> object:
    return error.message_dict if hasattr(error, "error_dict") else " ".join(error.messages)


def _venues(user, codes: set[str]) -> dict[str, Venue | None]:
    found = {}
    for code in codes:
        venue = venue_by_code(code)
        # One answer for a venue that does not exist and one outside the caller's area.
        found[code.strip().upper()] = venue if venue is not None and can_use_gate(user, venue) else None
    return found


@transaction.atomic
def _record(*, user, items, venues, upserts, request) -> BatchResult:
    recorder = _Recorder(user=user, venues=venues, upserts=upserts, items=items)
    for index, item in enumerate(items):
        recorder.take(index, item)
    result = recorder.result
    if recorder.people:
        audit_event_create(
            actor=user,
            action="create",
            object_type="checkin_batch",
            purpose="check-ins synced by a gate device",
            request=request,
            person_ids=sorted(recorder.people),
            details={
                "recorded": result.count(Outcome.RECORDED),
                "duplicates": result.count(Outcome.DUPLICATE),
                "refused": result.count(Outcome.REFUSED),
            },
        )
    now = timezone.now()
    late = [checkin for checkin in recorder.recorded if now - checkin.entered_at > LATE_AFTER]
    if late:
        transaction.on_commit(
            lambda: late_checkins_recorded.send(
                sender=CheckIn,
                checkin_ids=[checkin.pk for checkin in late],
                venue_ids=sorted({checkin.venue_id for checkin in late}),
                earliest=min(checkin.entered_at for checkin in late),
            )
        )
    return result


class _Recorder:
    """One pass over a batch inside its transaction."""

    def __init__(self, *, user, venues, upserts, items) -> None:
        self.user, self.venues, self.upserts = user, venues, upserts
        self.result = BatchResult()
        self.recorded: list[CheckIn] = []
        self.people: set[int] = set()
        ids = [item.client_id for item in items if item.client_id is not None]
        # client id → check-in id, of visits recorded before and in this batch so far.
        self.known: dict[UUID, int] = (
            dict(CheckIn.objects.filter(client_id__in=ids).values_list("client_id", "id")) if ids else {}
        )

    def take(self, index: int, item) -> None:
        outcome = ItemResult(index=index, client_id=item.client_id, status=Outcome.REFUSED)
        self.result.items.append(outcome)
        if isinstance(item, Refused):
            outcome.reason = item.reason
            return
        try:
            if isinstance(item, VisitItem):
                self._visit(index, item, outcome)
            else:
                self._leave(item, outcome)
        except ValidationError as error:
            outcome.reason = _reason(error)
        except Conflict as error:
            outcome.reason = str(error)

    def _visit(self, index: int, item: VisitItem, outcome: ItemResult) -> None:
        venue = self.venues.get(item.venue_code.strip().upper())
        if venue is None:
            outcome.reason = {"venue_code": [_("There is no venue with this code.")]}
            return
        if item.client_id in self.known:
            outcome.status, outcome.id = Outcome.DUPLICATE, self.known[item.client_id]
            return
        upsert = self.upserts[index]
        if isinstance(upsert, Refused):
            outcome.reason = upsert.reason
            return
        require_open_for(venue, item.entered_at)
        # A savepoint per visit: a refusal after the person's upsert (an entry in the future, say)
        # leaves nothing of this item behind, and the batch goes on.
        with transaction.atomic():
            person = upsert if isinstance(upsert, Person) else upsert.run()
            checkin, created = checkin_create(
                venue=venue,
                person=person,
                method=CheckInMethod.API,
                declaration=item.declaration,
                entered_at=item.entered_at,
                left_at=item.left_at,
                staff=self.user,
                client_id=item.client_id,
                batched=True,
            )
        self.known[item.client_id] = outcome.id = checkin.pk
        self.people.add(person.pk)
        if created:
            outcome.status = Outcome.RECORDED
            self.recorded.append(checkin)
        else:  # the person was still inside: the visit the device recorded is the one already here
            outcome.status = Outcome.DUPLICATE

    def _leave(self, item: LeaveItem, outcome: ItemResult) -> None:
        checkin_id = self.known.get(item.client_id)
        checkin = None
        if checkin_id is not None:
            checkin = CheckIn.objects.select_related("venue").filter(pk=checkin_id).first()
        if checkin is None or not can_use_gate(self.user, checkin.venue):
            outcome.reason = {"client_id": [_("No check-in with this id has reached us.")]}
            return
        was_open = checkin.left_at is None
        checkin = checkin_checkout(checkin=checkin, method=CheckOutMethod.API, at=item.left_at)
        outcome.id = checkin.pk
        outcome.status = Outcome.RECORDED if was_open else Outcome.DUPLICATE
        self.people.add(checkin.person_id)
