"""Finding people. Phones and citizen IDs are stored encrypted, so a person is found through the keyed
hash of the normalised value (`qrtrace.lib.crypto.lookup_hash`), computed here and nowhere else."""

from collections.abc import Collection, Sequence
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from qrtrace.accounts.permissions import can_read_person
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.rows import in_values

from .models import Person


def phone_hash(phone: str) -> str:
    """The keyed hash a phone number (normalised +84…) is found by."""
    return lookup_hash("phone", phone)


def citizen_id_hash(citizen_id: str) -> str:
    """The keyed hash a citizen ID (12 digits) is found by."""
    return lookup_hash("citizen_id", citizen_id)


def own_phone_q(phone: str) -> Q:
    """The person whose own phone this is: wards share their guardian's number but do not own it."""
    return Q(phone_hash=phone_hash(phone), guardian__isnull=True)


def person_by_phone(phone: str) -> Person | None:
    """The person whose own phone this is (normalised +84…)."""
    return Person.objects.filter(own_phone_q(phone)).first()


def person_by_citizen_id(citizen_id: str) -> Person | None:
    return Person.objects.filter(citizen_id_hash=citizen_id_hash(citizen_id)).first()


class PhoneOwner(NamedTuple):
    id: int
    full_name: str
    citizen_id_hash: str | None


def phone_owner(*, phone_hash: str) -> PhoneOwner | None:
    """Who owns the phone with this keyed hash, as the check-in API's write path needs it: no model,
    nothing decrypted (the citizen ID is compared by its hash)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, full_name, citizen_id_hash FROM checkins_person "
            "WHERE phone_hash = %s AND guardian_id IS NULL",
            [phone_hash],
        )
        row = cursor.fetchone()
    return PhoneOwner(*row) if row else None


def phone_owners(*, phone_hashes: Collection[str]) -> dict[str, PhoneOwner]:
    """`phone_owner` of many phones in one statement (a gate device's batch), by keyed hash; a phone
    nobody owns is left out."""
    rows = owner_rows(phone_hashes=list(phone_hashes), columns="id, full_name, citizen_id_hash")
    return {row[0]: PhoneOwner(*row[1:]) for row in rows}


def owner_rows(*, phone_hashes: Sequence[str], columns: str, tail: str = "") -> list[tuple]:
    """(phone hash, *`columns`) of the people who own these phones (wards share a guardian's phone and
    are left out), a statement per chunk of hashes; `tail` ends each statement (ORDER BY, a lock)."""
    found: list[tuple] = []
    db_type = Person._meta.get_field("phone_hash").db_type(connection)
    for start in range(0, len(phone_hashes), _CHUNK):
        among, listed = in_values("phone_hash", phone_hashes[start : start + _CHUNK], db_type)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT phone_hash, {columns} FROM checkins_person "  # noqa: S608
                f"WHERE {among} AND guardian_id IS NULL {tail}",
                listed,
            )
            found += cursor.fetchall()
    return found


class Ward(NamedTuple):
    pk: int
    full_name: str


def wards_named(*, guardian_id: int) -> list[Ward]:
    """The family members declared by this person, by name: what the one-tap check-in page of a
    remembered phone lists (on every scan from it: written out, not compiled by the ORM per call)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, full_name FROM checkins_person WHERE guardian_id = %s ORDER BY full_name",
            [guardian_id],
        )
        return [Ward(*row) for row in cursor.fetchall()]


# Values a statement takes at once: well inside SQLite's limit on parameters (32,766).
_CHUNK = 1_000


def person_names_read(*, viewer, person_ids, request=None) -> dict[int, str]:
    """The names of these people that `viewer` may read (those living in their area; the province
    office also those with no residence on record), for the audit review page. Audit-logged."""
    people = Person.objects.filter(pk__in=list(person_ids)).only("pk", "full_name", "commune_id")
    names = {p.pk: p.full_name for p in people if can_read_person(viewer, p.commune_id)}
    if names:
        audit_event_create(
            actor=viewer,
            action="read",
            object_type="person",
            purpose="audit review",
            request=request,
            person_ids=list(names),
        )
    return names
