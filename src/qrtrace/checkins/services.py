"""Check-in use-cases. The self check-in is the hot path: a returning person costs one SELECT (locking
their row on PostgreSQL, so a double submit queues behind the first) and one INSERT.

The building blocks (`person_resolve`, `ward_resolve`, `checkin_create`) are `atomic(savepoint=False)`:
inside a use-case they join its transaction instead of each wrapping itself in a savepoint (two
extra statements apiece on the hottest path); an error still rolls back the whole transaction.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.permissions import can_use_gate, require
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.errors import Conflict
from qrtrace.lib.pagination import Page
from qrtrace.lib.ratelimit import ratelimit_allow
from qrtrace.lib.rows import row_insert
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue, VenueStatus
from qrtrace.venues.selectors import venue_get

from .declaration import declaration_clean, declaration_risk
from .flags import ReviewReason, entry_reasons, max_stay, sequence_window, with_reason
from .models import CheckIn, CheckInMethod, CheckOutMethod, Device
from .personal_qr import new_personal_code
from .selectors import (
    RecentVisit,
    latest_declaration_today,
    open_checkin,
    phone_owner,
    recent_visits,
    venue_by_code,
    venue_checkin_page,
)
from .signals import late_checkins_recorded

# A visit that began this long before it reached us came from a gate device syncing later or from
# manual entry: tracing must look at it again (see signals.late_checkins_recorded).
LATE_AFTER = timedelta(minutes=5)
# Gate devices' clocks drift; a check-in a little in the future is taken as "now", more is refused.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Identity:
    """Who is checking in, already normalised by the form or API schema."""

    full_name: str
    phone: str | None = None  # +84…
    citizen_id: str | None = None
    birth_year: int | None = None
    commune_id: int | None = None


@transaction.atomic(savepoint=False)
def person_resolve(*, identity: Identity) -> Person:
    """The person with this phone (or, without a phone, this citizen ID), created or brought up to date."""
    if identity.phone:
        lookup = Q(phone_hash=lookup_hash("phone", identity.phone), guardian__isnull=True)
    elif identity.citizen_id:
        lookup = Q(citizen_id_hash=lookup_hash("citizen_id", identity.citizen_id))
    else:
        raise ValidationError(_("Give a phone number or a citizen ID number."))
    person = Person.objects.select_for_update().filter(lookup).first()
    if person is None:
        # INSERT … ON CONFLICT DO NOTHING: a double submit racing this one for a new phone number
        # waits on the unique index, then both read the one row (no IntegrityError, no savepoint).
        Person.objects.bulk_create([_new_person(identity)], ignore_conflicts=True)
        return Person.objects.select_for_update().get(lookup)
    if identity.phone and _name_key(identity.full_name) != _name_key(person.full_name):
        # Another name on a known phone is someone sharing it (a spouse, a parent declaring a child):
        # renaming the owner would rewrite their visit history, so they become the owner's ward.
        return ward_resolve(guardian=person, full_name=identity.full_name, birth_year=identity.birth_year)
    _update_person(person, identity)
    return person


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _new_person(identity: Identity) -> Person:
    _check_citizen_id_free(identity.citizen_id, person_id=None)
    return Person(
        full_name=identity.full_name,
        phone=identity.phone,
        phone_hash=lookup_hash("phone", identity.phone) if identity.phone else None,
        citizen_id=identity.citizen_id,
        citizen_id_hash=lookup_hash("citizen_id", identity.citizen_id) if identity.citizen_id else None,
        birth_year=identity.birth_year,
        commune_id=identity.commune_id,
    )


def _update_person(person: Person, identity: Identity) -> None:
    # The latest declaration wins (a different spelling, a move); blanks never erase what we know.
    changes = {
        "full_name": identity.full_name,
        "birth_year": identity.birth_year,
        "commune_id": identity.commune_id,
    }
    if identity.citizen_id and identity.citizen_id != person.citizen_id:
        _check_citizen_id_free(identity.citizen_id, person_id=person.pk)
        changes |= {
            "citizen_id": identity.citizen_id,
            "citizen_id_hash": lookup_hash("citizen_id", identity.citizen_id),
        }
    changed = [name for name, value in changes.items() if value and getattr(person, name) != value]
    for name in changed:
        setattr(person, name, changes[name])
    if changed:
        person.save(update_fields=changed)


def _check_citizen_id_free(citizen_id: str | None, *, person_id: int | None) -> None:
    if not citizen_id:
        return
    taken = Person.objects.filter(citizen_id_hash=lookup_hash("citizen_id", citizen_id))
    if taken.exclude(pk=person_id).exists():
        raise ValidationError(
            {"citizen_id": _("This citizen ID number is already registered with another phone number.")}
        )


@dataclass(frozen=True)
class PersonUpsert:
    """`person_resolve` for someone with a phone, in two steps: `prepare` reads and encrypts outside
    the transaction, `run` is then one statement inside it (the same rules: the latest declaration
    wins, blanks never erase, another name on a known phone is a ward, a citizen ID is one person's).

    On PostgreSQL the upsert locks the person's row, so a double submit queues behind the first and
    then finds its check-in; on SQLite the transaction's write lock does the same.
    """

    identity: Identity
    known_name: str | None  # the name stored for this phone when prepared; None for a new phone
    columns: dict

    @classmethod
    def prepare(cls, identity: Identity) -> "PersonUpsert":
        if not identity.phone:
            return cls(identity=identity, known_name=None, columns={})
        phone_hash = lookup_hash("phone", identity.phone)
        known = phone_owner(phone_hash=phone_hash)
        citizen_id = identity.citizen_id
        citizen_id_hash = lookup_hash("citizen_id", citizen_id) if citizen_id else None
        if known is not None and citizen_id_hash == known.citizen_id_hash:
            citizen_id = citizen_id_hash = None  # unchanged: not re-encrypted, not rewritten
        else:
            _check_citizen_id_free(citizen_id, person_id=known.id if known else None)
        values = {
            "full_name": identity.full_name,
            "phone": identity.phone,
            "phone_hash": phone_hash,
            "citizen_id": citizen_id,
            "citizen_id_hash": citizen_id_hash,
            "birth_year": identity.birth_year,
            "commune_id": identity.commune_id,
            "created_at": timezone.now(),
        }
        columns = {}
        for name, value in values.items():
            field = Person._meta.get_field(name)
            columns[field.column] = field.get_db_prep_save(value, connection)
        return cls(identity=identity, known_name=known.full_name if known else None, columns=columns)

    def run(self) -> Person:
        """The person's row written; anything off the common path (no phone, a ward, a row changed
        since `prepare`) goes through `person_resolve` in the same transaction."""
        renamed = self.known_name is not None and _name_key(self.known_name) != _name_key(
            self.identity.full_name
        )
        if renamed or not self.columns:
            return person_resolve(identity=self.identity)
        quote = connection.ops.quote_name
        table = quote(Person._meta.db_table)
        kept = ", ".join(
            f"{column} = COALESCE(excluded.{column}, {table}.{column})"
            for column in map(
                quote, ("full_name", "birth_year", "commune_id", "citizen_id", "citizen_id_hash")
            )
        )
        with connection.cursor() as cursor:
            # Only the model's own quoted identifiers are formatted in; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(map(quote, self.columns))}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(self.columns))}) "
                "ON CONFLICT (phone_hash) WHERE guardian_id IS NULL "
                f"DO UPDATE SET {kept} WHERE {table}.full_name = %s RETURNING id",
                [*self.columns.values(), self.known_name],
            )
            row = cursor.fetchone()
        if row is None:
            return person_resolve(identity=self.identity)
        return Person(pk=row[0], full_name=self.identity.full_name, phone=self.identity.phone)


@transaction.atomic(savepoint=False)
def ward_resolve(*, guardian: Person, full_name: str, birth_year: int | None) -> Person:
    """A family member without a phone, declared by `guardian` (found again by name and birth year)."""
    ward = (
        Person.objects.select_for_update()
        .filter(guardian=guardian, full_name=full_name, birth_year=birth_year)
        .first()
    )
    return ward or Person.objects.create(guardian=guardian, full_name=full_name, birth_year=birth_year)


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
) -> tuple[CheckIn, bool]:
    """Record `person` entering `venue`; returns (check-in, created).

    Someone still inside the venue cannot enter it again, so a double submit, a repeated scan or a
    gate device re-sending its queue returns the visit already recorded instead of a duplicate.
    """
    now = timezone.now()
    entered_at = entered_at or now
    if entered_at > now + CLOCK_SKEW:
        raise ValidationError({"entered_at": _("The time of entry is in the future.")})
    if left_at is not None and left_at < entered_at:
        raise ValidationError({"left_at": _("The time of leaving is before the time of entry.")})
    # The one read: the person's recent check-ins anywhere, for the repeat at this venue and the flags.
    # QRTRACE_REVIEW_SEQUENCE_SECONDS is at most CLOCK_SKEW, so the upper bound serves both.
    recent = recent_visits(
        person_id=person.pk,
        since=entered_at - max(venue.default_stay, sequence_window()),
        until=entered_at + CLOCK_SKEW,
    )
    current = next((visit for visit in recent if _still_inside(visit, venue, entered_at)), None)
    if current is not None:
        return CheckIn.objects.get(pk=current.id, entered_at=current.entered_at), False
    entered_at = min(entered_at, now)
    answers = declaration_clean(declaration)
    checkin = CheckIn(
        venue=venue,
        person=person,
        entered_at=entered_at,
        left_at=left_at,
        review_reason=entry_reasons(
            venue=venue,
            entered_at=entered_at,
            left_at=left_at,
            others=[
                (visit.entered_at, visit.venue_commune) for visit in recent if visit.venue_id != venue.pk
            ],
        ),
        checkout_method=CheckOutMethod.API if left_at else "",
        method=method,
        staff=staff,
        risk=declaration_risk(answers),
        **answers,
    )
    row_insert(checkin)  # CheckIn has no save signals; see lib.rows
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
    if now - entered_at > LATE_AFTER:
        transaction.on_commit(
            lambda: late_checkins_recorded.send(
                sender=CheckIn, checkin_ids=[checkin.pk], venue_ids=[venue.pk], earliest=entered_at
            )
        )
    return checkin, True


def _still_inside(visit: RecentVisit, venue: Venue, entered_at: datetime) -> bool:
    return (
        visit.venue_id == venue.pk
        and visit.entered_at > entered_at - venue.default_stay
        and (visit.left_at is None or visit.left_at > entered_at)
    )


def checkin_self_create(
    *,
    venue: Venue,
    submitter: Identity | Person,
    declaration: dict,
    ward_ids: Sequence[int] = (),
    new_members: Sequence[tuple[str, int | None]] = (),
    method: str = CheckInMethod.SELF_SCAN,
) -> list[CheckIn]:
    """The submitter and the family members they bring, checked in with one declaration.

    `ward_ids` are family members this submitter declared before (others' ids are ignored);
    `new_members` (name, birth year) become people with the submitter as guardian. As in
    `checkin_record`, the person as known so far is read (and the phone encrypted) before the
    transaction, which then writes them with one upsert.
    """
    upsert = None if isinstance(submitter, Person) else PersonUpsert.prepare(submitter)
    with transaction.atomic():
        person = submitter if upsert is None else upsert.run()
        wards = list(person.wards.filter(pk__in=ward_ids).order_by("pk")) if ward_ids else []
        wards += [
            ward_resolve(guardian=person, full_name=name, birth_year=year) for name, year in new_members
        ]
        return [
            checkin_create(venue=venue, person=someone, method=method, declaration=declaration)[0]
            for someone in [person, *dict.fromkeys(wards)]
        ]


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


def checkins_expire(*, now: datetime | None = None) -> int:
    """Close every visit never checked out at `entered_at + default_stay`; return how many.

    One UPDATE per distinct usual stay (a handful), not one per check-in. A usual stay longer than the
    maximum tracing accepts flags the visits it closes.
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
        with transaction.atomic():
            closed += CheckIn.objects.filter(
                left_at__isnull=True, venue__default_stay_minutes=minutes, entered_at__lte=now - stay
            ).update(**changes)
    return closed


def checkin_attempt_allow(*, ip: str, device: str | None) -> bool:
    """Take a token from this device's and this address's check-in buckets; False if either is empty.

    Called before anything is saved, so a refused attempt loses nothing. Per address the limit is
    generous (a market's visitors share one Wi-Fi address); a browser without a device cookie is
    counted by its CSRF cookie, which it must send with the form anyway.
    """
    with transaction.atomic():  # both buckets in one transaction: one BEGIN and COMMIT per attempt
        if device and not ratelimit_allow(
            scope="checkin-device",
            key=device,
            limit=settings.QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE,
            period_seconds=60,
        ):
            return False
        return ratelimit_allow(
            scope="checkin-ip",
            key=ip,
            limit=settings.QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE,
            period_seconds=60,
        )


def device_register(*, person: Person) -> str:
    """A new device token for `person` (to keep in a signed cookie); only its hash is stored."""
    token = secrets.token_urlsafe(24)
    row_insert(Device(token_hash=lookup_hash("device", token), person=person))  # no save signals
    return token


def device_forget(*, token: str) -> None:
    Device.objects.filter(token_hash=lookup_hash("device", token)).delete()


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
        raise ValidationError({"venue_code": _("There is no venue with this code.")})
    require(can_use_gate, user, venue)
    _require_open_for(venue, entered_at)
    upsert = PersonUpsert.prepare(identity)
    with transaction.atomic():
        return checkin_create(
            venue=venue,
            person=upsert.run(),
            method=CheckInMethod.API,
            declaration=declaration,
            entered_at=entered_at,
            left_at=left_at,
            staff=user,
            request=request,
        )


def _require_open_for(venue: Venue, entered_at: datetime | None) -> None:
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
            % {"at": timezone.localtime(venue.suspended_at).strftime("%H:%M %d/%m/%Y")}
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
        person = person_resolve(identity=identity)
    checkin, _created = checkin_create(
        venue=venue, person=person, method=method, declaration=declaration, staff=staff, request=request
    )
    return checkin


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


@transaction.atomic
def visitor_log_read(
    *,
    user,
    venue: Venue,
    checkins: Sequence[CheckIn] | QuerySet[CheckIn],
    action: str,
    request=None,
    filters: dict,
    purpose: str = "",
) -> Sequence[CheckIn] | QuerySet[CheckIn]:
    """Audit that `user` saw (action "read") or exported (action "export", with the `purpose` they
    stated) these visitors of `venue`; returns what they may be shown.

    `checkins` is either the rows shown (a page), returned as they are, or a QuerySet of every
    check-in the filters match (an export, of any size), audited in the database: its people become
    the event's subjects in one INSERT … SELECT, and the event records how many rows it holds. The
    QuerySet returned stops at the newest check-in of that moment: the file, streamed after this
    event is committed, then holds no one the event does not name.
    """
    details = {key: str(value) for key, value in filters.items()}
    if isinstance(checkins, QuerySet):
        latest = CheckIn.objects.aggregate(latest=Max("pk"))["latest"] or 0
        checkins = checkins.filter(pk__lte=latest)
        details |= {"rows": checkins.count(), "last_checkin_id": latest}
        person_ids = checkins.values_list("person_id", flat=True)
    else:
        person_ids = [checkin.person_id for checkin in checkins]
    audit_event_create(
        actor=user,
        action=action,
        object_type="visitor_log",
        object_id=venue.code,
        purpose=purpose or f"visitor log of venue {venue.code}",
        request=request,
        person_ids=person_ids,
        details=details,
    )
    return checkins


def visitor_log_page(*, user, venue_id: int, limit: int, offset: int, request=None) -> Page:
    """One page of the visitor log of a venue in `user`'s area, newest first, audited as read."""
    venue = venue_get(user=user, venue_id=venue_id)
    page = venue_checkin_page(venue=venue, limit=limit, offset=offset)
    visitor_log_read(
        user=user,
        venue=venue,
        checkins=page.items,
        action="read",
        request=request,
        filters={"limit": limit, "offset": offset},
    )
    return page
