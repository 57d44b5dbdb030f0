"""A gate device's queue, sent at once: up to 500 check-ins and check-outs in one request.

Each item carries the id the device gave it (`client_id`) when it was recorded, perhaps offline hours
ago. The batch is one transaction, so a device that lost the answer resends it whole, and every item
is answered on its own: recorded, a duplicate (already here, from this batch sent before or from
another device's), or refused with the reason. A bad item never costs the others.

Items arrive already parsed by the API's schema (a refused one carries its reason); this module checks
what needs the database: the venue and the caller's area, whether the venue took visits then, and
what was recorded before.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.permissions import can_use_gate
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict
from qrtrace.lib.rows import pks_by, rows_insert
from qrtrace.people.identity import Identity
from qrtrace.people.models import Person
from qrtrace.people.services import PersonUpsert
from qrtrace.venues.models import Venue
from qrtrace.venues.selectors import venues_by_code

from ..models import CheckIn, CheckInMethod, CheckOutMethod
from ..personal_qr import InvalidPersonalCode, person_from_token
from ..selectors import RecentVisit, recent_visits_of
from ..signals import late_checkins_recorded
from .visits import (
    CLOCK_SKEW,
    LATE_AFTER,
    checkin_checkout,
    checkin_prepare,
    checkin_settle,
    declared_columns,
    oldest_entry,
    recent_window,
    require_open_for,
)

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
    entered_at: datetime  # the device's clock when the visit was recorded
    personal_code: str | None = None  # a personal QR card scanned there (checked here, not on the device)
    declaration: dict | None = None
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
    upserts = _who(items, venues)
    for _attempt in range(RETRIES):
        try:
            return _record(_Recorder(user=user, venues=venues, upserts=upserts, items=items), request)
        except (IntegrityError, OperationalError):
            # Two devices sent the same items at the same moment: on PostgreSQL both saw them absent and
            # the second INSERT met the first's row, or each waited on the other's (a deadlock, one
            # transaction chosen to fail). The batch's transaction is gone; again, they are duplicates.
            continue
    return _record(_Recorder(user=user, venues=venues, upserts=upserts, items=items), request)


def _who(items, venues) -> dict[int, PersonUpsert | Person | Refused]:
    """Who each visit at a venue found is, by index: a personal QR card's person, or the person as
    declared, prepared (hashed, looked up, encrypted) for everyone at once."""
    who: dict[int, PersonUpsert | Person | Refused] = {}
    declared: dict[int, Identity] = {}
    for index, item in enumerate(items):
        if not isinstance(item, VisitItem) or venues.get(item.venue_code.strip().upper()) is None:
            continue
        if item.personal_code is None:
            declared[index] = item.identity
            continue
        try:
            who[index] = person_from_token(item.personal_code)
        except InvalidPersonalCode:
            reason = _("This personal QR code is not valid: it was revoked or replaced.")
            who[index] = Refused(item.client_id, {"personal_code": [reason]})
    for index, upsert in zip(declared, PersonUpsert.prepare_many(list(declared.values())), strict=True):
        # A refusal: e.g. a citizen ID that is another person's.
        refused = isinstance(upsert, ValidationError)
        who[index] = Refused(items[index].client_id, _reason(upsert)) if refused else upsert
    return dict(sorted(who.items()))


def _recorded(items) -> dict[UUID, int]:
    """The check-ins the batch names that are already recorded (a resend; a check-out's visit), by
    client id. A device's item keeps its time, which the server may only have moved back to its own
    now (a clock up to CLOCK_SKEW ahead), and a visit began before it was left: the ranges let
    PostgreSQL read only those days' partitions."""
    found: dict[UUID, int] = {}
    now = timezone.now()
    # Times the rules refuse (checkin_prepare) cannot name a recorded visit; leaving them out keeps
    # the ranges' arithmetic inside the calendar whatever a broken device clock sent.
    sane = (oldest_entry(now), now + CLOCK_SKEW)
    visits = [i for i in items if isinstance(i, VisitItem) and sane[0] <= i.entered_at <= sane[1]]
    leaves = [i for i in items if isinstance(i, LeaveItem) and sane[0] <= i.left_at <= sane[1]]
    for named, since, until in (
        (
            visits,
            min((i.entered_at for i in visits), default=None),
            max((i.entered_at for i in visits), default=None),
        ),
        (leaves, None, max((i.left_at for i in leaves), default=None)),
    ):
        if not named:
            continue
        where, params = '"entered_at" <= %s', [until]
        if since is not None:
            where, params = where + ' AND "entered_at" >= %s', [until, since - CLOCK_SKEW]
        found |= pks_by(CheckIn, "client_id", [item.client_id for item in named], where, params)
    return found


def _ids(checkins: Iterable[CheckIn]) -> dict[UUID, int]:
    """The ids the database gave visits just inserted (executemany reads none back)."""
    checkins = list(checkins)
    if not checkins:
        return {}
    times = [checkin.entered_at for checkin in checkins]
    return pks_by(
        CheckIn,
        "client_id",
        [checkin.client_id for checkin in checkins],
        '"entered_at" >= %s AND "entered_at" <= %s',
        [min(times), max(times)],
    )


def _visits_lock(pairs: set[tuple[int, int]]) -> None:
    """Hold until COMMIT the right to record a visit of each (venue id, person id), so that another
    batch recording the same person at the same venue at the same moment (two gates' devices that
    both saw them) waits, then reads this one's visit and answers a repeat (`checkin_settle`).

    On PostgreSQL a transaction-scoped advisory lock per pair, all taken in one statement in one
    order, so that two batches never deadlock. A batch holds its known people's rows FOR SHARE
    (`PersonUpsert.run_many`), which a single declaration's FOR UPDATE waits for and the other way
    round, but another batch does not: locking the people themselves made every two concurrent
    batches that shared one of a few hundred people run one after the other, for visits at other
    venues (docs/benchmarks.md, "Batch ingest, fourth round"). People this batch created need no
    lock: a batch making the same phone waits on its unique index until this one commits. SQLite's
    write lock already queues every writer. Ids are folded into the lock's two 32-bit keys; two
    pairs that fold alike only wait for each other."""
    if not pairs or connection.vendor != "postgresql":
        return
    fold = sorted({(venue % 2**31, person % 2**31) for venue, person in pairs})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(v, p)) FROM unnest(%s::int[], %s::int[]) AS pair(v, p)",
            [[v for v, _p in fold], [p for _v, p in fold]],
        )


def _reason(error: ValidationError) -> object:
    return error.message_dict if hasattr(error, "error_dict") else " ".join(error.messages)


def _venues(user, codes: set[str]) -> dict[str, Venue | None]:
    # One answer for a venue that does not exist and one outside the caller's area.
    return {
        code: venue if venue is not None and can_use_gate(user, venue) else None
        for code, venue in venues_by_code(codes).items()
    }


@transaction.atomic
def _record(recorder: "_Recorder", request) -> BatchResult:
    recorder.record()
    result, user = recorder.result, recorder.user
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
    late = [checkin for checkin in recorder.recorded if recorder.now - checkin.entered_at > LATE_AFTER]
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
    """A batch in passes, so the database sees a handful of statements for the whole batch instead of
    several for each visit: (0) before the transaction, each visit built and checked against its
    venue's rules (no write lock is held yet: on SQLite every other writer waits while this one has
    it); then inside it (1) each item's outcome decided (a repeat of what was recorded, a refusal, or
    a visit to record), nothing written; (2) the people written (`PersonUpsert.run_many`); (3)
    everyone's recent check-ins read at once (but not those of people the batch created: they have
    none) and each visit compared with them, as `checkin_create` does for one; (4) the new visits
    inserted at once; (5) check-outs, which may close visits of this batch. Built again for each
    attempt: the passes inside change the visits they record."""

    def __init__(self, *, user, venues, upserts, items) -> None:
        self.user, self.venues, self.upserts, self.items = user, venues, upserts, items
        self.now = timezone.now()
        self.result = BatchResult(
            items=[
                ItemResult(index=i, client_id=item.client_id, status=Outcome.REFUSED)
                for i, item in enumerate(items)
            ]
        )
        self.recorded: list[CheckIn] = []
        self.people: set[int] = set()
        self.created: set[int] = set()  # people this batch created: no check-ins before it
        # client id → check-in id, of visits recorded before and in this batch (0: not yet written).
        self.known: dict[UUID, int] = {}
        self.drafts = {i: self._draft(i, item) for i, item in enumerate(items) if isinstance(item, VisitItem)}

    def _draft(self, index: int, item: VisitItem) -> CheckIn | ValidationError | Conflict | None:
        """Pass 0: the visit as it would be recorded, or why its venue's rules refuse it; None for an
        item refused before it (no such venue, a person refused)."""
        venue = self.venues.get(item.venue_code.strip().upper())
        who = self.upserts.get(index)
        if venue is None or isinstance(who, Refused):
            return None
        try:
            require_open_for(venue, item.entered_at)
            return checkin_prepare(
                venue=venue,
                person=who if isinstance(who, Person) else None,
                method=CheckInMethod.API,
                declaration=item.declaration,
                entered_at=item.entered_at,
                left_at=item.left_at,
                staff=self.user,
                client_id=item.client_id,
                now=self.now,
            )
        except (ValidationError, Conflict) as error:
            return error

    def record(self) -> None:
        items = self.items
        self.known = _recorded(items)
        prepared: list[tuple[ItemResult, CheckIn, PersonUpsert | Person]] = []
        leaves: list[tuple[ItemResult, LeaveItem]] = []
        for index, item in enumerate(items):
            outcome = self.result.items[index]
            if isinstance(item, Refused):
                outcome.reason = item.reason
            elif isinstance(item, LeaveItem):
                leaves.append((outcome, item))
            elif (checkin := self._guarded(outcome, self._admit, index, item)) is not None:
                prepared.append((outcome, checkin, self.upserts[index]))
        declared = [who for _outcome, _checkin, who in prepared if isinstance(who, PersonUpsert)]
        ran = {id(declared[i]): outcome for i, outcome in PersonUpsert.run_many(declared).items()}
        visits = [
            (outcome, checkin)
            for outcome, checkin, who in prepared
            if self._guarded(outcome, self._person, checkin, who, ran.get(id(who)))
        ]
        self._settle(visits)
        for outcome, item in leaves:
            self._guarded(outcome, self._leave, item, outcome)

    def _guarded(self, outcome: ItemResult, step, *args):
        """`step(*args)`, or None with the item refused for the reason it raised. The steps raise
        before they write, so the batch's transaction goes on."""
        try:
            return step(*args)
        except ValidationError as error:
            outcome.reason = _reason(error)
        except Conflict as error:
            outcome.reason = str(error)
        return None

    def _admit(self, index: int, item: VisitItem) -> CheckIn | None:
        """Pass 1: the visit drafted for this item, to be recorded; or None, the item answered."""
        outcome = self.result.items[index]
        venue = self.venues.get(item.venue_code.strip().upper())
        if venue is None:
            outcome.reason = {"venue_code": [_("There is no venue with this code.")]}
            return None
        if item.client_id in self.known:
            outcome.status, outcome.id = Outcome.DUPLICATE, self.known[item.client_id]
            return None
        who = self.upserts[index]
        if isinstance(who, Refused):
            outcome.reason = who.reason
            return None
        checkin = self.drafts[index]
        if isinstance(checkin, Exception):
            raise checkin
        self.known[item.client_id] = 0  # a second item with this id in the batch is a repeat
        return checkin

    def _person(self, checkin: CheckIn, who: PersonUpsert | Person, ran: tuple[Person, bool] | None) -> bool:
        """`ran`: the upsert's outcome from `PersonUpsert.run_many`; None: off its common path."""
        if isinstance(who, Person):
            checkin.person = who
            return True
        checkin.person, created = ran or who.run()
        if created:
            self.created.add(checkin.person_id)
        # A person already known is not changed by a declaration: the check-in keeps what was declared.
        for name, value in declared_columns(checkin.person, None if created else who.identity).items():
            setattr(checkin, name, value)
        return True

    def _settle(self, visits: list[tuple[ItemResult, CheckIn]]) -> None:
        if not visits:
            return
        windows = [recent_window(checkin) for _outcome, checkin in visits]
        _visits_lock({(c.venue_id, c.person_id) for _outcome, c in visits if c.person_id not in self.created})
        recent = recent_visits_of(
            sorted({checkin.person_id for _outcome, checkin in visits} - self.created),
            since=min(since for since, _until in windows),
            until=max(until for _since, until in windows),
        )
        fresh: list[tuple[ItemResult, CheckIn]] = []
        for (outcome, checkin), (since, until) in zip(visits, windows, strict=True):
            mine = recent.setdefault(checkin.person_id, [])
            current = checkin_settle(checkin, [v for v in mine if since < v.entered_at <= until], self.now)
            self.people.add(checkin.person_id)
            if current is not None:  # still inside: the visit the device recorded is one already here
                outcome.status, outcome.id = Outcome.DUPLICATE, current.id or None
                self.known[checkin.client_id] = current.id
                continue
            fresh.append((outcome, checkin))
            # An earlier item of this batch is a recent visit for the next one of the same person.
            mine.insert(
                0,
                RecentVisit(
                    0, checkin.venue_id, checkin.entered_at, checkin.left_at, checkin.venue.commune_id
                ),
            )
        rows_insert([checkin for _outcome, checkin in fresh])
        ids = _ids(checkin for _outcome, checkin in fresh)
        for outcome, checkin in fresh:
            checkin.pk = outcome.id = self.known[checkin.client_id] = ids[checkin.client_id]
            outcome.status = Outcome.RECORDED
            self.recorded.append(checkin)

    def _leave(self, item: LeaveItem, outcome: ItemResult) -> None:
        checkin_id = self.known.get(item.client_id)
        checkin = None
        if checkin_id:
            checkin = CheckIn.objects.select_related("venue").filter(pk=checkin_id).first()
        if checkin is None or not can_use_gate(self.user, checkin.venue):
            outcome.reason = {"client_id": [_("No check-in with this id has reached us.")]}
            return
        was_open = checkin.left_at is None
        checkin = checkin_checkout(checkin=checkin, method=CheckOutMethod.API, at=item.left_at)
        outcome.id = checkin.pk
        outcome.status = Outcome.RECORDED if was_open else Outcome.DUPLICATE
        self.people.add(checkin.person_id)
