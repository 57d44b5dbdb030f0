"""Visits: someone entering and leaving a venue. The self check-in is the hot path: a returning person
costs one SELECT (locking their row on PostgreSQL, so a double submit queues behind the first) and one
INSERT.

`checkin_create` is `atomic(savepoint=False)`, as the people services it builds on are: inside a
use-case it joins its transaction instead of wrapping itself in a savepoint (two extra statements
apiece on the hottest path); an error still rolls back the whole transaction.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.permissions import can_use_gate, require
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.display import datetime_text
from qrtrace.lib.errors import Conflict
from qrtrace.lib.ratelimit import ratelimit_holds_rows
from qrtrace.lib.rows import rows_insert_each
from qrtrace.people.identity import Identity
from qrtrace.people.models import Person
from qrtrace.people.services import (
    PersonUpsert,
    identity_declared,
    person_declare,
    person_lock,
    wards_find_or_create,
)
from qrtrace.venues.models import Venue, VenueStatus
from qrtrace.venues.selectors import venue_by_code

from ..declaration import declaration_clean, declaration_risk
from ..flags import ReviewReason, entry_reasons, max_stay, sequence_window, with_reason
from ..models import CheckIn, CheckInMethod, CheckOutMethod, DeviceTrust
from ..selectors import RecentVisit, recent_visits_of
from ..signals import late_checkins_recorded
from .devices import device_register
from .limits import checkin_attempt_allow

# A visit that began this long before it reached us came from a gate device syncing later or from
# manual entry: tracing must look at it again (see signals.late_checkins_recorded).
LATE_AFTER = timedelta(minutes=5)
# Gate devices' clocks drift; a check-in a little in the future is taken as "now", more is refused.
CLOCK_SKEW = timedelta(minutes=5)


def checkin_prepare(
    *,
    venue: Venue,
    person: Person,
    method: str,
    declaration: dict | None = None,
    entered_at: datetime | None = None,
    left_at: datetime | None = None,
    staff=None,
    client_id: UUID | None = None,
    declared: Identity | None = None,
    now: datetime,
) -> CheckIn:
    """The visit as it would be recorded, unsaved and not yet compared with the person's recent ones
    (`checkin_settle`); a time the rules refuse is a ValidationError on its field. `declared`: who
    the person said they are with it (`declared_columns`)."""
    entered_at = entered_at or now
    errors = {}
    if entered_at > now + CLOCK_SKEW:
        errors["entered_at"] = _("The time of entry is in the future.")
    elif entered_at < oldest_entry(now):
        errors["entered_at"] = _("The time of entry is older than check-ins are kept (%(days)d days).") % {
            "days": settings.QRTRACE_RETENTION_DAYS
        }
    if left_at is not None and left_at < entered_at:
        errors["left_at"] = _("The time of leaving is before the time of entry.")
    if errors:
        raise ValidationError(errors)
    answers = declaration_clean(declaration)
    values = _CHECKIN_DEFAULTS | {
        "venue_id": venue.pk,
        "person_id": None if person is None else person.pk,
        "entered_at": entered_at,  # clamped to now by checkin_settle, after the repeat check
        "left_at": left_at,
        # The choices as plain strings, as a row read back holds them: lib.rows passes a str as it
        # is, and sends an enum member through the field's methods (two calls a column and row).
        "checkout_method": str(CheckOutMethod.API) if left_at else "",
        "method": str(method),
        "staff_id": None if staff is None else staff.pk,
        "risk": str(declaration_risk(answers)),
        "client_id": client_id,
        **answers,
    }
    # By position: the same instance as by keyword (every other field at its default), without a
    # descriptor call and a keyword lookup per field (a 500-item batch builds one per visit).
    checkin = CheckIn(*values.values())
    for name, value in declared_columns(person, declared).items():
        setattr(checkin, name, value)
    checkin.venue = venue
    if person is not None:
        checkin.person = person
    if staff is not None:
        checkin.staff = staff
    return checkin


# Every column's value as CheckIn(...) leaves it, in the model's order (no field has a callable
# default; created_at is set when the row is inserted).
_CHECKIN_DEFAULTS = {field.attname: field.get_default() for field in CheckIn._meta.concrete_fields}


def oldest_entry(now: datetime) -> datetime:
    """The earliest time of entry taken: an older visit would be purged at once (and a time in year 1,
    which a broken device clock can send, would overflow the window arithmetic)."""
    return now - timedelta(days=settings.QRTRACE_RETENTION_DAYS)


def recent_window(checkin: CheckIn) -> tuple[datetime, datetime]:
    """The span of the person's check-ins that `checkin_settle` compares a new one with.
    QRTRACE_REVIEW_SEQUENCE_SECONDS is at most CLOCK_SKEW, so the upper bound serves both checks."""
    since = checkin.entered_at - max(checkin.venue.default_stay, sequence_window())
    return since, checkin.entered_at + CLOCK_SKEW


def checkin_settle(checkin: CheckIn, recent: Sequence[RecentVisit], now: datetime) -> RecentVisit | None:
    """Compare a prepared visit with the person's recent ones (those in `recent_window`): the visit
    they are still in at this venue, if any (the new one is then a repeat, not to be recorded);
    otherwise the new one gets its review flags and its time of entry, no later than now."""
    venue, entered_at = checkin.venue, checkin.entered_at
    current = next((visit for visit in recent if _still_inside(visit, venue, entered_at)), None)
    if current is not None:
        return current
    checkin.entered_at = min(entered_at, now)
    checkin.review_reason = entry_reasons(
        venue=venue,
        entered_at=checkin.entered_at,
        left_at=checkin.left_at,
        others=[(visit.entered_at, visit.venue_commune) for visit in recent if visit.venue_id != venue.pk],
    )
    return None


@transaction.atomic(savepoint=False)
def checkin_create(
    *,
    venue: Venue,
    person: Person,
    method: str,
    declaration: dict | None = None,
    entered_at: datetime | None = None,
    left_at: datetime | None = None,
    staff=None,
    request=None,
    declared: Identity | None = None,
    new_person: bool = False,
) -> tuple[CheckIn, bool]:
    """Record `person` entering `venue`; returns (check-in, created). `declared` is who the person
    said they are with this check-in: kept with it where it differs from what is stored (the stored
    person never changes by a declaration). `new_person`: this transaction created them, so they
    have no visits to compare with (their recent check-ins are not read).

    Someone still inside the venue cannot enter it again, so a double submit, a repeated scan or a
    gate device re-sending its queue returns the visit already recorded instead of a duplicate.
    """
    now = timezone.now()
    checkin = checkin_prepare(
        venue=venue,
        person=person,
        method=method,
        declaration=declaration,
        entered_at=entered_at,
        left_at=left_at,
        staff=staff,
        declared=declared,
        now=now,
    )
    ((checkin, created),) = _visits_record([checkin], new_people=new_person, now=now)
    if not created:
        return checkin, False
    if staff is not None:
        audit_event_create(
            actor=staff,
            action="create",
            object_type="checkin",
            object_id=checkin.pk,
            purpose=f"check-in at venue {venue.code}",
            request=request,
            person_ids=[person.pk],
        )
    entered_at = checkin.entered_at
    if now - entered_at > LATE_AFTER:
        transaction.on_commit(
            lambda: late_checkins_recorded.send(
                sender=CheckIn, checkin_ids=[checkin.pk], venue_ids=[venue.pk], earliest=entered_at
            )
        )
    return checkin, True


def _visits_record(
    prepared: Sequence[CheckIn], *, new_people: bool, now: datetime
) -> list[tuple[CheckIn, bool]]:
    """Prepared visits of different people at one venue and time of entry (one check-in, or a
    declaration's submitter and the family they bring), recorded: (check-in, created) for each, in
    order. The one read: their recent check-ins anywhere, for the repeat at this venue and the flags
    (none for people this transaction created, `new_people`); someone still inside gets that visit
    back. The new visits go in one INSERT (a family of three sent six statements)."""
    since, until = recent_window(prepared[0])  # one venue and one time: one window for them all
    people = [checkin.person_id for checkin in prepared]
    recent = {} if new_people else recent_visits_of(people, since=since, until=until)
    recorded, fresh = [], []
    for checkin in prepared:
        current = checkin_settle(checkin, recent.get(checkin.person_id, []), now)
        if current is None:
            fresh.append(checkin)
            recorded.append((checkin, True))
        else:
            recorded.append((CheckIn.objects.get(pk=current.id, entered_at=current.entered_at), False))
    if fresh:
        rows_insert_each(fresh, told_by="person")  # CheckIn has no save signals; see lib.rows
    return recorded


def declared_columns(person: Person, declared: Identity | None) -> dict:
    """What a check-in keeps of who `person` declared they are (`declared`; None: nothing declared,
    or the declaration created them): the name as typed when it differs, the commune declared."""
    if declared is None:
        return {}
    name = "" if declared.full_name == person.full_name else declared.full_name
    return {"declared_name": name, "declared_commune_id": declared.commune_id}


def _still_inside(visit: RecentVisit, venue: Venue, entered_at: datetime) -> bool:
    return (
        visit.venue_id == venue.pk
        and visit.entered_at > entered_at - venue.default_stay
        and (visit.left_at is None or visit.left_at > entered_at)
    )


class AttemptRefused(Exception):
    """The attempt's rate limit refused it: nothing was recorded."""


@dataclass(frozen=True)
class SelfCheckIn:
    checkins: list[CheckIn]  # the submitter's first
    created: bool  # whether this declaration created the submitter
    device_token: str | None  # the phone remembered as the submitter (see `checkin_self_create`)


def checkin_self_create(
    *,
    venue: Venue,
    submitter: Identity | Person,
    declaration: dict,
    ward_ids: Sequence[int] = (),
    new_members: Sequence[tuple[str, int | None]] = (),
    ward_declarations: Mapping[int, dict] | None = None,
    new_member_declarations: Sequence[dict] = (),
    method: str = CheckInMethod.SELF_SCAN,
    attempt: tuple[str, str | None] | None = None,
    remember: bool = False,
) -> SelfCheckIn:
    """The submitter and the family members they bring, checked in.

    `declaration` is the submitter's own health declaration. Each family member has their own:
    `ward_declarations` by ward id, `new_member_declarations` in the order of `new_members`; a member
    without one declared nothing (no symptoms), never the submitter's answers (issue 13).
    `ward_ids` are family members this submitter declared before (others' ids are ignored);
    `new_members` (name, birth year) become people with the submitter as guardian. As in
    `checkin_record`, the person as known so far is read (and the phone encrypted) before the
    transaction, which then writes them with one statement. A person already known is not changed:
    what the submitter declared is kept with their check-in.

    Everything a citizen's declaration writes is one transaction (on SQLite one turn of the write
    lock; it was three): `attempt` (address, device key) takes the attempt's rate-limit tokens first,
    and an empty bucket raises AttemptRefused with nothing recorded. On PostgreSQL the tokens are
    taken just before that transaction, in their own: inside it, the address's bucket row stayed
    locked until COMMIT, so the check-ins of everyone behind one address ran one at a time
    (docs/benchmarks.md, "Row locks on PostgreSQL"). With `remember`, a submitter this declaration
    created gets this phone remembered (`device_token`; a number already known is proven by SMS
    first, issue 12).
    """
    declared = None if isinstance(submitter, Person) else identity_declared(submitter)
    upsert = None if declared is None else PersonUpsert.prepare(declared)
    ward_declarations = ward_declarations or {}
    early = attempt is not None and ratelimit_holds_rows()
    if early and not checkin_attempt_allow(ip=attempt[0], device=attempt[1]):
        raise AttemptRefused
    with transaction.atomic():
        if attempt is not None and not early and not checkin_attempt_allow(ip=attempt[0], device=attempt[1]):
            raise AttemptRefused
        person, created = (submitter, False) if upsert is None else upsert.run()
        wards = list(person.wards.filter(pk__in=ward_ids).order_by("pk")) if ward_ids else []
        members = {ward: ward_declarations.get(ward.pk) for ward in wards}
        new_wards = wards_find_or_create(guardian=person, members=new_members, new_guardian=created)
        for index, ward in enumerate(new_wards):
            answers = new_member_declarations[index] if index < len(new_member_declarations) else None
            members.setdefault(ward, answers)
        now = timezone.now()
        visits = [(person, declaration, None if created else declared)]
        visits += [(member, answers, None) for member, answers in members.items()]
        prepared = [
            checkin_prepare(
                venue=venue, person=who, method=method, declaration=answers, declared=said, now=now
            )
            for who, answers, said in visits
        ]
        checkins = [checkin for checkin, _created in _visits_record(prepared, new_people=created, now=now)]
        token = device_register(person=person, trust=DeviceTrust.CREATED) if remember and created else None
        return SelfCheckIn(checkins, created, token)


@transaction.atomic
def checkin_checkout(
    *, checkin: CheckIn, method: str, at: datetime | None = None, staff=None, request=None
) -> CheckIn:
    """Record leaving. Checking out twice keeps the first time (a double tap changes nothing)."""
    # entered_at with the id: on PostgreSQL it is the partition key, so the statements touch one day's
    # partition instead of being planned against every one.
    row = CheckIn.objects.filter(pk=checkin.pk, entered_at=checkin.entered_at)
    checkin = row.select_for_update().get()
    if checkin.left_at is not None:
        return checkin
    at = at or timezone.now()
    if at < checkin.entered_at:
        raise ValidationError({"left_at": _("The time of leaving is before the time of entry.")})
    checkin.left_at = at
    checkin.checkout_method = method
    if at - checkin.entered_at > max_stay():
        checkin.review_reason = with_reason(checkin.review_reason, ReviewReason.LONG_STAY)
    row.update(left_at=at, checkout_method=method, review_reason=checkin.review_reason)
    if staff is not None:
        audit_event_create(
            actor=staff,
            action="update",
            object_type="checkin",
            object_id=checkin.pk,
            purpose="check-out",
            request=request,
            person_ids=[checkin.person_id],
        )
    return checkin


# Visits closed by one UPDATE: the automatic check-out holds SQLite's one write lock for a few
# milliseconds at a time, so check-ins keep flowing while it catches up after the worker was down
# (or on a history imported with its visits open: one UPDATE of millions of rows held the lock for
# minutes and the gates' check-ins got no answer).
EXPIRE_CHUNK = 5_000


def checkins_expire(*, now: datetime | None = None) -> int:
    """Close every visit never checked out at `entered_at + default_stay`; return how many.

    Per distinct usual stay (a handful), UPDATEs of at most EXPIRE_CHUNK visits, each committed on
    its own; not one per check-in. A usual stay longer than the maximum tracing accepts flags the
    visits it closes.
    """
    now = now or timezone.now()
    stays = Venue.objects.values_list("default_stay_minutes", flat=True).distinct()
    closed = 0
    for minutes in stays:
        stay = timedelta(minutes=minutes)
        changes = {"left_at": F("entered_at") + stay, "checkout_method": CheckOutMethod.AUTO}
        if stay > max_stay():
            changes["review_reason"] = Case(
                When(review_reason="", then=Value(ReviewReason.LONG_STAY.value)),
                default=Concat(F("review_reason"), Value("," + ReviewReason.LONG_STAY)),
            )
        due = CheckIn.objects.filter(
            left_at__isnull=True, venue__default_stay_minutes=minutes, entered_at__lte=now - stay
        )
        while True:
            with transaction.atomic():
                ids = list(due.values_list("pk", flat=True)[:EXPIRE_CHUNK])
                if not ids:
                    break
                closed += CheckIn.objects.filter(pk__in=ids, left_at__isnull=True).update(**changes)
    return closed


def checkin_record(
    *,
    user,
    venue_code: str,
    identity: Identity,
    declaration: dict | None,
    entered_at: datetime | None,
    left_at: datetime | None,
    request=None,
) -> tuple[CheckIn, bool]:
    """A check-in sent by an official or an integration (e.g. an offline gate device syncing later).

    The hottest write path: everything that only reads or computes (the venue, the area check, the
    person as known so far, hashing and encryption) happens before the transaction, which on SQLite
    holds the database's one write lock; inside it, the person's upsert, the "already inside?" read,
    the INSERT and the audit event.
    """
    venue = venue_by_code(venue_code)
    if venue is None:
        raise Http404(_("There is no venue with this code."))
    require(can_use_gate, user, venue)
    require_open_for(venue, entered_at)
    upsert = PersonUpsert.prepare(identity)
    with transaction.atomic():
        person, created = upsert.run()
        return checkin_create(
            venue=venue,
            person=person,
            declared=None if created else identity,
            method=CheckInMethod.API,
            declaration=declaration,
            entered_at=entered_at,
            left_at=left_at,
            staff=user,
            request=request,
        )


def require_open_for(venue: Venue, entered_at: datetime | None) -> None:
    """An active venue takes every check-in. A suspended one takes only visits that began before it
    was suspended: a gate device that was offline syncs its day late, and those visits still count
    for tracing. Anything else (pending, rejected, closed, or a new visit now) is refused: such a
    venue has no working poster, so no visit can have been recorded there."""
    if venue.status == VenueStatus.ACTIVE:
        return
    if venue.status == VenueStatus.SUSPENDED and venue.suspended_at is not None:
        if entered_at is not None and entered_at < venue.suspended_at:
            return
        raise Conflict(
            _("This venue was suspended at %(at)s: only visits that began before then are accepted.")
            % {"at": datetime_text(venue.suspended_at)}
        )
    raise Conflict(
        _("This venue is not active (%(status)s): it accepts no check-ins.")
        % {"status": venue.get_status_display()}
    )


@transaction.atomic
def checkin_staff_create(
    *,
    staff,
    venue: Venue,
    method: str,
    declaration: dict,
    person: Person | None = None,
    identity: Identity | None = None,
    request=None,
) -> CheckIn:
    """Gate staff check someone in: a scanned personal code (`person`) or manual entry (`identity`)."""
    if person is None:
        if identity is None:
            raise ValueError("checkin_staff_create needs a person or an identity.")
        identity = identity_declared(identity)
        person, created = person_declare(identity=identity)
        declared = None if created else identity
    else:
        person, declared = person_lock(person_id=person.pk), None
    checkin, _created = checkin_create(
        venue=venue,
        person=person,
        method=method,
        declaration=declaration,
        staff=staff,
        request=request,
        declared=declared,
    )
    return checkin
