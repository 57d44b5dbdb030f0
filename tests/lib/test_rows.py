"""qrtrace.lib.rows writes and reads rows as the ORM would, without compiling SQL per call."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qrtrace.audit.models import AuditEvent, AuditSubject
from qrtrace.checkins.models import CheckIn
from qrtrace.lib.rows import (
    COPY_FROM,
    _columns,
    in_values,
    pks_by,
    row_get,
    row_insert,
    rows_insert,
    rows_insert_each,
    rows_insert_values,
)
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue
from tests import actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue():
    return actors.make_venue()


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_an_inserted_row_reads_back_through_the_orm_as_saved_with_its_defaults(venue):
    person = actors.make_person("Lê Thị D", phone="+84911222333")
    before = timezone.now()
    entered = datetime(2026, 11, 25, 1, 30, 15, 123456, tzinfo=UTC)
    checkin = row_insert(CheckIn(venue=venue, person=person, entered_at=entered, method="api", fever=True))
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.entered_at, stored.fever, stored.cough, stored.risk) == (entered, True, False, "green")
    assert stored.created_at >= before  # auto_now_add, as save() would set it
    assert _fields(stored) == _fields(checkin)


def test_json_and_encrypted_values_are_stored_as_the_orm_stores_them():
    event = row_insert(AuditEvent(action="read", object_type="case", details={"filter": "F1", "n": 3}))
    person = row_insert(Person(full_name="Phạm Văn E", phone="+84911000111"))
    assert AuditEvent.objects.get(pk=event.pk).details == {"filter": "F1", "n": 3}
    assert Person.objects.get(pk=person.pk).phone == "+84911000111"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM checkins_person WHERE id = %s", [person.pk])
        assert "911000111" not in cursor.fetchone()[0]  # stored encrypted


def test_many_rows_go_in_one_call_and_none_is_nothing():
    event = row_insert(AuditEvent(action="export", object_type="visitor_log"))
    rows_insert([AuditSubject(event=event, person_id=pid) for pid in (5, 7, 9)])
    rows_insert([])
    assert sorted(AuditSubject.objects.filter(event=event).values_list("person_id", flat=True)) == [5, 7, 9]


def test_rows_inserted_in_one_statement_each_get_their_own_pk_matched_by_a_distinct_field(venue):
    people = [actors.make_person(f"Người {n}", phone=f"+8491100{n:04d}") for n in range(3)]
    now = timezone.now()
    visits = [
        CheckIn(venue=venue, person=p, method="self_scan", entered_at=now, fever=n == 1)
        for n, p in enumerate(people)
    ]
    with CaptureQueriesContext(connection) as queries:
        rows_insert_each(visits, told_by="person")
    assert len(queries) == 1
    for visit in visits:
        stored = CheckIn.objects.get(pk=visit.pk)
        assert (stored.person_id, stored.fever) == (visit.person_id, visit.fever) and not visit._state.adding
    with pytest.raises(ValueError):
        rows_insert_each([CheckIn(venue=venue, person=people[0], entered_at=now)] * 2, told_by="person")


def test_a_row_is_found_by_a_unique_field_as_the_orm_finds_it(venue):
    found = row_get(Venue, "code", venue.code)
    assert isinstance(found, Venue) and not found._state.adding
    assert _fields(found) == _fields(Venue.objects.get(pk=venue.pk))
    assert row_get(Venue, "code", "NOSUCH1") is None


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 25, 1, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 11, 25, 8, 30, tzinfo=timezone.get_default_timezone()),  # UTC+7: the day before in UTC
        datetime(2026, 11, 25, 0, 0, tzinfo=UTC),  # no microseconds: str() leaves them out
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        None,
    ],
    ids=["utc", "local", "midnight", "uuid", "none"],
)
def test_the_quick_adapters_give_what_the_fields_own_methods_give(value):
    field = CheckIn._meta.get_field("client_id" if isinstance(value, uuid.UUID) else "entered_at")
    columns = {column[0].attname: column for column in _columns(CheckIn, connection.vendor)}
    _field, types, adapt = columns[field.attname]
    assert type(value) in types  # the quick way is taken for this value
    quick = value if adapt is None else adapt(value)
    assert quick == field.get_db_prep_save(value, connection)


def test_a_naive_datetime_goes_the_fields_own_way(venue):
    person = actors.make_person("Lê Thị G", phone="+84911222444")
    naive = datetime(2026, 11, 25, 8, 30)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        checkin = row_insert(CheckIn(venue=venue, person=person, entered_at=naive, method="api"))
    # Taken in the default time zone (UTC+7), as the ORM takes it.
    assert CheckIn.objects.get(pk=checkin.pk).entered_at == datetime(2026, 11, 25, 1, 30, tzinfo=UTC)


def test_auto_now_add_is_set_when_inserted_whatever_was_given_one_now_per_statement(venue):
    person = actors.make_person("Lê Thị K", phone="+84911222666")
    before, old = timezone.now(), datetime(2020, 1, 1, tzinfo=UTC)
    entered = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    made = [
        CheckIn(
            venue=venue,
            person=person,
            entered_at=entered,
            method="api",
            client_id=uuid.uuid4(),
            created_at=old,
        )
        for _ in range(3)
    ]
    rows_insert(made)
    stored = CheckIn.objects.filter(client_id__in=[checkin.client_id for checkin in made])
    assert len({checkin.created_at for checkin in stored}) == 1  # one statement, one now
    assert stored[0].created_at >= before and {checkin.created_at for checkin in made} == {
        stored[0].created_at
    }


def test_pks_are_found_by_a_uuid_column_within_a_range_of_times(venue):
    person = actors.make_person("Lê Thị H", phone="+84911222555")
    entered = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    ids = [uuid.uuid4() for _ in range(3)]
    rows = [CheckIn(venue=venue, person=person, entered_at=entered, method="api", client_id=i) for i in ids]
    made = [row_insert(row).pk for row in rows]
    late = '"entered_at" >= %s'
    assert pks_by(CheckIn, "client_id", [*ids, uuid.uuid4()]) == dict(zip(ids, made, strict=True))
    assert pks_by(CheckIn, "client_id", ids[:2], late, [entered]) == dict(zip(ids[:2], made[:2], strict=True))
    assert pks_by(CheckIn, "client_id", ids, late, [entered + timedelta(seconds=1)]) == {}
    assert pks_by(CheckIn, "client_id", []) == {}


def _awkward_visits(venue, person, count: int) -> list[CheckIn]:
    """Visits whose values COPY's text format must escape: tabs, newlines, backslashes, NULLs."""
    names = ["Lê\tThị\nK", "a\\b", "\\N", "", "Nguyễn Văn Mới"]
    entered = datetime(2026, 11, 25, 1, 30, 15, 123456, tzinfo=UTC)
    return [
        CheckIn(
            venue=venue,
            person=person,
            entered_at=entered + timedelta(seconds=n),
            left_at=None if n % 2 else entered + timedelta(hours=1),
            method="api",
            fever=bool(n % 3),
            declared_name=names[n % len(names)],
            review_reason="" if n % 2 else "sequence",
            client_id=uuid.uuid4(),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [COPY_FROM - 1, COPY_FROM, 3 * COPY_FROM])
def test_many_rows_read_back_through_the_orm_as_given_whichever_way_they_went_in(venue, count):
    person = actors.make_person("Lê Thị L", phone="+84911222777")
    made = _awkward_visits(venue, person, count)
    with CaptureQueriesContext(connection) as queries:
        rows_insert(made)
    copied = connection.vendor == "postgresql" and count >= COPY_FROM
    assert [query["sql"].split(" times: ")[1].split()[0] for query in queries] == [
        "COPY" if copied else "INSERT"
    ]
    stored = {checkin.client_id: checkin for checkin in CheckIn.objects.filter(person=person)}
    assert len(stored) == count
    for checkin in made:
        again = stored[checkin.client_id]
        assert _fields(again) | {"id": None} == _fields(checkin) | {"id": None}


@pytest.mark.django_db(transaction=True)
def test_a_row_the_unique_index_refuses_fails_the_whole_statement_as_an_integrity_error(venue):
    person = actors.make_person("Lê Thị M", phone="+84911222888")
    made = _awkward_visits(venue, person, 2 * COPY_FROM)
    rows_insert(made[:1])
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(made)  # the first is there already
    assert CheckIn.objects.filter(person=person).count() == 1
    event = row_insert(AuditEvent(action="export", object_type="visitor_log"))
    rows_insert_values(AuditSubject, ("event_id", "person_id"), [(event.pk, n) for n in range(2 * COPY_FROM)])
    assert AuditSubject.objects.filter(event=event).count() == 2 * COPY_FROM


def test_a_long_list_of_values_finds_exactly_those_whatever_they_hold():
    values = ['a"b', "c\\d", "{,}", "NULL", "", "Nguyễn"]
    among, params = in_values("x", values, "varchar(20)")
    union = " UNION ALL ".join(["SELECT %s AS x"] * (len(values) + 2))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT x FROM ({union}) t WHERE {among} ORDER BY x", [*values, "zz", 'a"', *params])  # noqa: S608
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(values)
