"""Making, finding and changing people: the rules every app's way in shares."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from qrtrace.audit.models import AuditEvent, AuditSubject
from qrtrace.lib.crypto import lookup_hash
from qrtrace.people.identity import Identity, identity_parse
from qrtrace.people.models import Person
from qrtrace.people.services import person_declare, person_find_or_create, person_update, wards_find_or_create
from tests import actors

pytestmark = pytest.mark.django_db

A = Identity(full_name="Nguyễn Văn A", phone="+84912345678", birth_year=1985)
CCCD = "038085000123"


def test_a_person_is_stored_with_an_encrypted_phone_found_through_its_keyed_hash():
    person, _created = person_declare(identity=A)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM checkins_person WHERE id = %s", [person.pk])
        (stored,) = cursor.fetchone()
    assert "912345678" not in stored
    assert Person.objects.get(phone_hash=lookup_hash("phone", "+84912345678")).phone == "+84912345678"


def test_the_same_phone_finds_the_same_person_and_a_declaration_changes_nothing_stored():
    first, created = person_declare(identity=A)
    assert created
    again, created = person_declare(
        identity=Identity(full_name="NGUYỄN  VĂN A", phone="+84912345678", birth_year=1999, commune_id=14797)
    )
    assert again.pk == first.pk and not created
    stored = Person.objects.get()
    assert (stored.full_name, stored.birth_year, stored.commune_id) == ("Nguyễn Văn A", 1985, None)


def test_another_name_on_a_known_phone_becomes_a_ward_and_never_renames_the_owner():
    owner, _created = person_declare(identity=A)
    wife, _created = person_declare(
        identity=Identity(full_name="Trần Thị B", phone="+84912345678", birth_year=1988)
    )
    assert wife.guardian == owner and wife.phone is None and wife.birth_year == 1988
    owner.refresh_from_db()
    assert owner.full_name == "Nguyễn Văn A"
    assert person_declare(
        identity=Identity(full_name="Trần Thị B", phone="+84912345678", birth_year=1988)
    ) == (wife, False)


def test_a_citizen_id_already_held_by_another_phone_is_refused():
    person_declare(identity=Identity(full_name="A", phone="+84912345678", citizen_id=CCCD))
    # The building blocks join the caller's transaction (no savepoint), so the test gives them one.
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        person_declare(identity=Identity(full_name="B", phone="+84987654321", citizen_id=CCCD))
    assert "citizen_id" in caught.value.message_dict
    assert Person.objects.count() == 1


def test_a_known_person_declaring_a_citizen_id_is_not_given_it_whoever_holds_it():
    person_declare(identity=Identity(full_name="A", phone="+84912345678", citizen_id=CCCD))
    known, _created = person_declare(identity=Identity(full_name="B", phone="+84987654321"))
    for citizen_id in (CCCD, "038185000456"):
        again, created = person_declare(
            identity=Identity(full_name="B", phone="+84987654321", citizen_id=citizen_id)
        )
        assert (again.pk, created) == (known.pk, False)
    known.refresh_from_db()
    assert known.citizen_id is None


def test_find_or_create_by_phone_makes_the_person_once_and_then_returns_them_as_stored():
    person, created = person_find_or_create(identity=A)
    assert created and (person.full_name, person.phone, person.birth_year) == ("Nguyễn Văn A", A.phone, 1985)
    again, created = person_find_or_create(
        identity=Identity(
            full_name="Someone Else", phone=A.phone, birth_year=1990, commune_id=actors.COMMUNE_A
        )
    )
    assert not created and again.pk == person.pk
    stored = Person.objects.get()
    assert (stored.full_name, stored.birth_year, stored.commune_id) == ("Nguyễn Văn A", 1985, None)


def test_without_a_phone_the_citizen_id_finds_the_person():
    person, created = person_find_or_create(identity=Identity(full_name="Lê C", citizen_id=CCCD))
    assert created and person.phone is None and person.citizen_id == CCCD
    again, created = person_find_or_create(identity=Identity(full_name="Lê Văn C", citizen_id=CCCD))
    assert not created and again.pk == person.pk


def test_a_phone_finds_its_owner_and_never_a_ward_who_shares_it():
    owner, _created = person_declare(identity=A)
    wards_find_or_create(guardian=owner, members=[("Nguyễn Văn Bé", 2015)])
    person, created = person_find_or_create(identity=A)
    assert not created and person == owner


def test_neither_a_phone_nor_a_citizen_id_is_refused():
    with pytest.raises(ValidationError), transaction.atomic():
        person_find_or_create(identity=Identity(full_name="Nguyễn Văn A"))
    assert not Person.objects.exists()


def test_a_ward_is_found_again_by_guardian_name_and_birth_year():
    owner, _created = person_declare(identity=A)
    (child,) = wards_find_or_create(guardian=owner, members=[("Nguyễn Văn Bé", 2015)])
    again, younger = wards_find_or_create(
        guardian=owner, members=[("Nguyễn Văn Bé", 2015), ("Nguyễn Văn Bé", 2016)]
    )
    assert again == child and younger != child and younger.guardian == owner
    other, _created = person_declare(identity=Identity(full_name="Trần D", phone="+84987654321"))
    assert wards_find_or_create(guardian=other, members=[("Nguyễn Văn Bé", 2015)]) != [child]
    assert Person.objects.filter(full_name="Nguyễn Văn Bé").count() == 3


def test_a_member_given_twice_is_one_ward_and_a_new_guardian_s_family_is_made_without_a_look_up(
    django_assert_num_queries,
):
    owner, _created = person_declare(identity=A)
    with django_assert_num_queries(2):  # two INSERTs, no SELECT
        first, twice, second = wards_find_or_create(
            guardian=owner, members=[("Bé", 2015), ("Bé", 2015), ("Ông", 1948)], new_guardian=True
        )
    assert first == twice != second and first.commune_id == owner.commune_id
    assert list(owner.wards.order_by("full_name").values_list("full_name", "birth_year")) == [
        ("Bé", 2015),
        ("Ông", 1948),
    ]


def test_a_known_guardian_declaring_nobody_reads_no_wards(django_assert_num_queries):
    """Most declarations bring no family: the guardian's wards are neither read nor locked for them."""
    owner, _created = person_declare(identity=A)
    (child,) = wards_find_or_create(guardian=owner, members=[("Bé", 2015)])
    with django_assert_num_queries(0):
        assert wards_find_or_create(guardian=owner, members=[]) == []
    assert wards_find_or_create(guardian=owner, members=[("Bé", 2015)]) == [child]


def test_raw_values_are_normalised_and_every_refused_one_is_named_on_its_field():
    identity = identity_parse(full_name="  Nguyễn   Văn A ", phone="0912 345 678", birth_year="1985")
    assert identity == Identity(full_name="Nguyễn Văn A", phone="+84912345678", birth_year=1985)
    with pytest.raises(ValidationError) as caught:
        identity_parse(full_name="A", phone="12", citizen_id="12", birth_year=1800, prefix="person.")
    assert set(caught.value.message_dict) == {"person.phone", "person.citizen_id", "person.birth_year"}


def test_staff_update_a_person_with_a_reason_and_the_audit_names_the_fields_not_the_values(
    commune_official,
):
    person, _created = person_declare(identity=A)
    person_update(
        person=person,
        actor=commune_official,
        reason="Giấy tờ tùy thân đã kiểm tra",
        full_name="Nguyễn  Văn An",
        citizen_id=CCCD,
        birth_year=1985,
    )
    person.refresh_from_db()
    assert (person.full_name, person.citizen_id, person.birth_year) == ("Nguyễn Văn An", CCCD, 1985)
    assert Person.objects.get(citizen_id_hash=lookup_hash("citizen_id", CCCD)) == person
    event = AuditEvent.objects.get(object_type="person", action="update")
    assert event.purpose == "Giấy tờ tùy thân đã kiểm tra"
    assert event.details == {"fields": "full_name,citizen_id"}
    assert list(AuditSubject.objects.filter(event=event).values_list("person_id", flat=True)) == [person.pk]


def test_a_staff_update_needs_a_reason_and_a_free_citizen_id(commune_official):
    person_declare(identity=Identity(full_name="B", phone="+84987654321", citizen_id=CCCD))
    person, _created = person_declare(identity=A)
    with pytest.raises(ValidationError) as caught:
        person_update(person=person, actor=commune_official, reason="  ", full_name="X")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        person_update(person=person, actor=commune_official, reason="sửa", citizen_id=CCCD)
    assert "citizen_id" in caught.value.message_dict
    person.refresh_from_db()
    assert (person.full_name, person.citizen_id) == ("Nguyễn Văn A", None)
    assert not AuditEvent.objects.filter(object_type="person").exists()


def test_a_staff_update_that_changes_nothing_records_nothing(commune_official):
    person, _created = person_declare(identity=A)
    person_update(person=person, actor=commune_official, reason="kiểm tra", full_name="Nguyễn Văn A")
    assert not AuditEvent.objects.filter(object_type="person").exists()
