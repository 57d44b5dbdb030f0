"""Making and changing people: the one place a Person is created or written (check-ins, tracing and
whatever comes next call these; no other app writes the model).

Two ways in, kept apart on purpose:
- `person_declare`: what someone says about themselves on the public form, at a gate or through the
  check-in API (and `PersonUpsert`, the same rules as one prepared statement). A declaration is not
  proof of who someone is (a phone number and a name can be anyone's, issue 12): it creates a person
  the first time, and never changes a stored one. What was declared is kept with the check-in.
- `person_update`: the trusted path, the only one that changes a stored person: staff with a reason,
  or the person themselves after proving the phone by an SMS code (privacy's "my data"); audited.

The building blocks are `atomic(savepoint=False)`: inside a use-case they join its transaction
instead of each wrapping itself in a savepoint (two extra statements apiece on the check-in hot
path); an error still rolls back the whole transaction.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.audit.services import audit_event_create
from qrtrace.lib.rows import row_insert

from .identity import Identity, normalize_name, same_name
from .models import Person
from .selectors import (
    PhoneOwner,
    citizen_id_hash,
    own_phone_q,
    owner_rows,
    person_by_citizen_id,
    phone_hash,
    phone_owner,
    phone_owners,
)


def _lookup(identity: Identity) -> Q:
    if identity.phone:
        return own_phone_q(identity.phone)
    if identity.citizen_id:
        return Q(citizen_id_hash=citizen_id_hash(identity.citizen_id))
    raise ValidationError(_("Give a phone number or a citizen ID number."))


@transaction.atomic(savepoint=False)
def person_find_or_create(*, identity: Identity) -> tuple[Person, bool]:
    """The person with this phone (or, without a phone, this citizen ID), and whether they were made
    now, from `identity`. A person found is returned as stored (see `person_declare`); their row is
    locked until the transaction ends (on PostgreSQL), so a double submit queues behind the first."""
    lookup = _lookup(identity)
    person = Person.objects.select_for_update().filter(lookup).first()
    if person is not None:
        return person, False
    # INSERT … ON CONFLICT DO NOTHING: a double submit racing this one for a new phone number
    # waits on the unique index, then both read the one row (no IntegrityError, no savepoint).
    new = _new_person(identity)
    Person.objects.bulk_create([new], ignore_conflicts=True)
    person = Person.objects.select_for_update().get(lookup)
    # A conflicting insert sets no id, so the row read is ours if it carries our creation time.
    return person, person.created_at == new.created_at


def person_lock(*, person_id: int) -> Person:
    """The person, read again with their row locked until the transaction ends (on PostgreSQL;
    SQLite's IMMEDIATE transaction already holds the one write lock). A check-in of someone already
    known (a scanned card, a text) takes it first, as `person_find_or_create` does for a declaration,
    so that two at one moment queue and the second finds the first visit instead of recording
    another."""
    return Person.objects.select_for_update().get(pk=person_id)


def identity_declared(identity: Identity) -> Identity:
    """What a public declaration may claim: `identity` without a citizen ID that another person holds.

    A declaration proves nothing. Attaching someone else's ID to the declaring phone would hand the ID
    over; refusing the check-in would tell anyone whether an ID is registered (and it was a 500). So
    the ID is left out without a word and the check-in goes ahead: the same outcome, known ID or not.
    Costs a read only when an ID is given (it is optional on the form), and no transaction: on SQLite
    one takes the write lock, which every citizen's declaration queued for.
    """
    if not identity.citizen_id or not identity.phone:
        return identity  # without a phone the ID is what finds the person: no one else to hold it
    holder = person_by_citizen_id(identity.citizen_id)
    if holder is None or (holder.guardian_id is None and holder.phone_hash == phone_hash(identity.phone)):
        return identity
    return replace(identity, citizen_id=None)


def person_declare(*, identity: Identity) -> tuple[Person, bool]:
    """Someone declaring who they are (the public form, gate staff writing it down for them, the
    check-in API): the person with this phone (or, without a phone, this citizen ID), and whether
    this declaration created them. A person found is returned as stored: a declaration never
    renames, re-dates or moves anyone (the check-in keeps what was declared). Callers on public
    paths pass `identity_declared(identity)`."""
    person, created = person_find_or_create(identity=identity)
    if created:
        return person, True
    if identity.phone and not same_name(identity.full_name, person.full_name):
        # Another name on a known phone is someone sharing it (a spouse, a parent declaring a child):
        # renaming the owner would rewrite their visit history, so they become the owner's ward.
        return ward_declare(
            guardian=person,
            full_name=identity.full_name,
            birth_year=identity.birth_year,
            commune_id=identity.commune_id,
        )
    return person, False


@transaction.atomic(savepoint=False)
def ward_declare(
    *, guardian: Person, full_name: str, birth_year: int | None, commune_id: int | None = None
) -> tuple[Person, bool]:
    """One family member without a phone, found again by name and birth year or made, and whether
    they were made now (someone sharing a known phone: `person_declare`). A new ward lives where
    declared (`commune_id`), else where their guardian does; a known one is returned as stored."""
    ((ward, made),) = _wards_declare(guardian, [(full_name, birth_year)], commune_id=commune_id)
    return ward, made


@transaction.atomic(savepoint=False)
def wards_find_or_create(
    *, guardian: Person, members: Sequence[tuple[str, int | None]], new_guardian: bool = False
) -> list[Person]:
    """Family members without a phone (name, birth year) declared by `guardian`, as `ward_declare`
    finds or makes each, in the order of `members` (a member given twice is one person); nothing is
    read for a guardian this transaction created (`new_guardian`): nobody can have declared their
    family before."""
    return [ward for ward, _made in _wards_declare(guardian, members, new_guardian=new_guardian)]


def _wards_declare(
    guardian: Person,
    members: Sequence[tuple[str, int | None]],
    *,
    commune_id: int | None = None,
    new_guardian: bool = False,
) -> list[tuple[Person, bool]]:
    # The guardian's wards in one read (locked on PostgreSQL), not one ORM query per member: a
    # family's declaration is on the check-in's hot path. Newest first, so that of two alike (made
    # before this rule) the oldest is kept. No members (most declarations): nothing to read or lock.
    known: dict[tuple[str, int | None], Person] = {}
    if not new_guardian and members:
        for ward in Person.objects.select_for_update().filter(guardian=guardian).order_by("-pk"):
            known[(ward.full_name, ward.birth_year)] = ward
    declared = []
    for name, year in members:
        ward = known.get((name, year))
        if ward is not None:
            declared.append((ward, False))
            continue
        ward = Person(
            guardian=guardian, full_name=name, birth_year=year, commune_id=commune_id or guardian.commune_id
        )
        known[(name, year)] = row_insert(ward)  # Person has no save signals; see lib.rows
        declared.append((ward, True))
    return declared


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor,
    reason: str,
    full_name: str | None = None,
    birth_year: int | None = None,
    commune_id: int | None = None,
    citizen_id: str | None = None,
    clear_commune: bool = False,
    request: HttpRequest | None = None,
) -> Person:
    """A trusted change to what is known about `person` (values already normalised; None leaves a
    field as it is; `clear_commune`: lives outside the province), for `reason`: audited with the names
    of the fields changed, never their values.

    `actor` is the staff member (the caller has checked they may change this person), or None for
    the person themselves after proving their phone by an SMS code (the caller has checked that).
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why this person's details are changed.")]})
    if full_name is not None:
        full_name = normalize_name(full_name)
        if not full_name:
            raise ValidationError({"full_name": [_("Enter the person's full name.")]})
    person = person_lock(person_id=person.pk)
    given = {
        "full_name": full_name,
        "birth_year": birth_year,
        "commune_id": commune_id,
        "citizen_id": citizen_id,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if clear_commune and commune_id is None:  # lives outside the province's communes
        changes["commune_id"] = None
    changed = _person_change(person, changes)
    if changed:
        audit_event_create(
            actor=actor,
            action="update",
            object_type="person",
            object_id=person.pk,
            purpose=reason,
            request=request,
            person_ids=[person.pk],
            details={"fields": ",".join(changed)},
        )
    return person


def _person_change(person: Person, changes: dict) -> list[str]:
    """Write the values in `changes` that differ from `person`'s; returns the fields changed."""
    changes = {name: value for name, value in changes.items() if getattr(person, name) != value}
    if "citizen_id" in changes:
        _check_citizen_id_free(changes["citizen_id"], person_id=person.pk)
        changes["citizen_id_hash"] = citizen_id_hash(changes["citizen_id"])
    for name, value in changes.items():
        setattr(person, name, value)
    if changes:
        person.save(update_fields=list(changes))
    return [name for name in changes if name != "citizen_id_hash"]


def _new_person(identity: Identity) -> Person:
    _check_citizen_id_free(identity.citizen_id, person_id=None)
    return Person(
        full_name=identity.full_name,
        phone=identity.phone,
        phone_hash=phone_hash(identity.phone) if identity.phone else None,
        citizen_id=identity.citizen_id,
        citizen_id_hash=citizen_id_hash(identity.citizen_id) if identity.citizen_id else None,
        birth_year=identity.birth_year,
        commune_id=identity.commune_id,
    )


def _check_citizen_id_free(citizen_id: str | None, *, person_id: int | None) -> None:
    if not citizen_id:
        return
    taken = Person.objects.filter(citizen_id_hash=citizen_id_hash(citizen_id))
    if taken.exclude(pk=person_id).exists():
        raise ValidationError(
            {"citizen_id": _("This citizen ID number is already registered with another phone number.")}
        )


@dataclass(frozen=True)
class PersonUpsert:
    """`person_declare` for someone with a phone, in two steps: `prepare` reads and encrypts outside
    the transaction, `run` is then one statement inside it (the same rules: a new phone makes a
    person, a known one is returned as stored, another name on a known phone is a ward, a citizen ID
    is one person's).

    On PostgreSQL the known person's row is read FOR UPDATE, so a double submit queues behind
    the first and then finds its check-in; on SQLite the transaction's write lock does the same.
    `run_many` reads them FOR SHARE (see `_known_rows`).
    """

    identity: Identity
    known_name: str | None  # the name stored for this phone when prepared; None for a new phone
    columns: dict

    @classmethod
    def prepare(cls, identity: Identity) -> "PersonUpsert":
        if not identity.phone:
            return cls(identity=identity, known_name=None, columns={})
        phone_key = phone_hash(identity.phone)
        return cls._prepared(identity, phone_key, phone_owner(phone_hash=phone_key))

    @classmethod
    def prepare_many(cls, identities: Sequence[Identity]) -> list["PersonUpsert | ValidationError"]:
        """`prepare` of many identities (a gate device's batch) with one read of the phones' owners,
        each phone hashed once; an identity refused (a citizen ID that is another person's) is its
        ValidationError, in its place."""
        hashes = {identity.phone: phone_hash(identity.phone) for identity in identities if identity.phone}
        owners = phone_owners(phone_hashes=set(hashes.values()))
        prepared: list[PersonUpsert | ValidationError] = []
        for identity in identities:
            if not identity.phone:
                prepared.append(cls(identity=identity, known_name=None, columns={}))
                continue
            phone_key = hashes[identity.phone]
            try:
                prepared.append(cls._prepared(identity, phone_key, owners.get(phone_key)))
            except ValidationError as error:
                prepared.append(error)
        return prepared

    @classmethod
    def _prepared(cls, identity: Identity, phone_key: str, known: PhoneOwner | None) -> "PersonUpsert":
        if known is not None and not same_name(known.full_name, identity.full_name):
            # Someone sharing the owner's phone: a ward, made by `person_declare` when this runs.
            return cls(identity=identity, known_name=known.full_name, columns={})
        if known is not None:
            # Nothing of a known person is written: the values are only those a new row would need.
            values = {"phone_hash": phone_key}
        else:
            citizen_id = identity.citizen_id
            _check_citizen_id_free(citizen_id, person_id=None)
            values = {
                "full_name": identity.full_name,
                "phone": identity.phone,
                "phone_hash": phone_key,
                "citizen_id": citizen_id,
                "citizen_id_hash": citizen_id_hash(citizen_id) if citizen_id else None,
                "birth_year": identity.birth_year,
                "commune_id": identity.commune_id,
                "created_at": timezone.now(),
            }
        columns = {}
        for name, value in values.items():
            field = Person._meta.get_field(name)
            columns[field.column] = field.get_db_prep_save(value, connection)
        return cls(identity=identity, known_name=known.full_name if known else None, columns=columns)

    def run(self) -> tuple[Person, bool]:
        """The person's row (made if new), and whether this made it; anything off the common path
        (no phone, a ward, a row changed or made since `prepare`) goes through `person_declare` in
        the same transaction."""
        if not self.columns:
            return person_declare(identity=self.identity)
        quote = connection.ops.quote_name
        table = quote(Person._meta.db_table)
        with connection.cursor() as cursor:
            if self.known_name is not None:
                # A known person: read, never changed; on PostgreSQL their row is locked (SQLite's
                # IMMEDIATE transaction already holds the one write lock).
                lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
                cursor.execute(
                    f"SELECT id, {quote('commune_id')} FROM {table} WHERE {quote('phone_hash')} = %s "  # noqa: S608
                    f"AND {quote('guardian_id')} IS NULL AND {quote('full_name')} = %s{lock}",
                    [self.columns["phone_hash"], self.known_name],
                )
            else:
                # Only the model's own quoted identifiers are formatted in; every value is a parameter.
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(map(quote, self.columns))}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * len(self.columns))}) "
                    "ON CONFLICT (phone_hash) WHERE guardian_id IS NULL DO NOTHING RETURNING id, commune_id",
                    list(self.columns.values()),
                )
            row = cursor.fetchone()
        if row is None:
            return person_declare(identity=self.identity)
        name = self.identity.full_name if self.known_name is None else self.known_name
        return _person_read(row[0], name, self.identity.phone, row[1]), self.known_name is None

    @classmethod
    def run_many(cls, upserts: Sequence["PersonUpsert"]) -> Mapping[int, tuple[Person, bool]]:
        """`run` of many at once (a gate device's batch): the known people read in one statement and
        the new ones inserted in one, by index into `upserts`. Those off the common path are left
        out (no phone, a ward, a row changed or made since `prepare`, a new phone a second time):
        their `run` goes through `person_declare`, in the same transaction."""
        known = {
            i: upsert for i, upsert in enumerate(upserts) if upsert.columns and upsert.known_name is not None
        }
        new: dict[str, int] = {}  # phone hash → the index of the first item that makes that person
        for i, upsert in enumerate(upserts):
            if upsert.columns and upsert.known_name is None:
                new.setdefault(upsert.columns["phone_hash"], i)
        done: dict[int, tuple[Person, bool]] = {}
        people: dict[int, Person] = {}  # one instance per person, however many items name them
        rows = _known_rows({upsert.columns["phone_hash"] for upsert in known.values()})
        for i, upsert in known.items():
            row = rows.get(upsert.columns["phone_hash"])
            if row is not None and row[1] == upsert.known_name:
                done[i] = (upsert._person(people, row[0], upsert.known_name, row[2]), False)
        for phone_key, (pk, commune_id) in _insert_new([upserts[i].columns for i in new.values()]).items():
            upsert = upserts[new[phone_key]]
            done[new[phone_key]] = (upsert._person(people, pk, upsert.identity.full_name, commune_id), True)
        return done

    def _person(self, people: dict[int, Person], pk: int, name: str, commune_id: int | None) -> Person:
        person = people.get(pk)
        if person is None:
            person = people[pk] = _person_read(pk, name, self.identity.phone, commune_id)
        return person


def _person_read(pk: int, name: str, phone: str | None, commune_id: int | None) -> Person:
    """The person `run` found or made, as a model instance with what the statement read (the other
    fields as `Person(...)` leaves them: their defaults); built by position, several times cheaper
    than by keyword (a 500-item batch makes one per person)."""
    values = dict.fromkeys(_FIELDS) | {"id": pk, "full_name": name, "phone": phone, "commune_id": commune_id}
    return Person(*values.values())


_FIELDS = [field.attname for field in Person._meta.concrete_fields]


def _known_rows(phone_hashes: set[str]) -> dict[str, tuple[int, str, int | None]]:
    """Known people by phone hash: (id, name, commune), their rows locked FOR SHARE on PostgreSQL:
    a single declaration's FOR UPDATE (`run`, `person_find_or_create`) and this wait for each other,
    two batches do not (the batch's own lock is per person and venue: checkins.services.batch)."""
    lock = " FOR SHARE" if connection.features.has_select_for_update else ""
    hashes = sorted(phone_hashes)  # one order for every transaction that locks them
    rows = owner_rows(phone_hashes=hashes, columns="id, full_name, commune_id", tail=f"ORDER BY id{lock}")
    return {row[0]: row[1:] for row in rows}


def _insert_new(rows: list[dict]) -> dict[str, tuple[int, int | None]]:
    """New people's rows (the columns `prepare` made), in one INSERT per chunk; those a concurrent
    transaction made first are skipped by the unique index and left out. By phone hash: (id, commune)."""
    made = {}
    quote = connection.ops.quote_name
    for start in range(0, len(rows), _CHUNK // 10):
        chunk = rows[start : start + _CHUNK // 10]
        columns = list(chunk[0])
        one = f"({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            # Only the model's own quoted identifiers are formatted in; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {quote(Person._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))} "
                "ON CONFLICT (phone_hash) WHERE guardian_id IS NULL DO NOTHING "
                f"RETURNING id, {quote('phone_hash')}, {quote('commune_id')}",
                [row[column] for row in chunk for column in columns],
            )
            made |= {phone_key: (pk, commune_id) for pk, phone_key, commune_id in cursor.fetchall()}
    return made


_CHUNK = 1_000  # values a statement takes at once, well inside SQLite's limit on parameters
