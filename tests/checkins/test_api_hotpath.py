"""The API check-in is the hottest write path: what it costs in statements, and that the upsert keeps
the rules of `person_declare` (checked through the API, as integrations send them)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qrtrace.accounts.models import ApiToken
from qrtrace.accounts.services import api_token_create, api_token_revoke
from qrtrace.audit.models import AuditSubject
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.services.visits import checkin_record
from qrtrace.lib.crypto import lookup_hash
from qrtrace.people.identity import Identity
from qrtrace.people.models import Person
from qrtrace.venues.selectors import _venues_by_code, venues_by_code
from tests import actors
from tests.threads import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(client, commune_official):
    headers = {"Authorization": f"Bearer {api_token_create(user=commune_official)}"}

    def send(venue, **person):
        body = {
            "venue_code": venue.code,
            "person": {"phone": "0912.345.678", "full_name": "Nguyễn Văn A"} | person,
        }
        return client.post("/api/v1/checkins", body, content_type="application/json", headers=headers)

    return send


def test_a_returning_person_checks_in_with_five_statements_inside_the_transaction(send, venue):
    send(venue, birth_year=1985)
    CheckIn.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        response = send(venue, birth_year=1985)
    assert response.status_code == 201
    # An executemany is captured as "N times: <sql>".
    statements = [query["sql"].split(" times: ")[-1].split()[0] for query in queries.captured_queries]
    # Before the transaction: the person as known (the token, memberships and venue are cached).
    # Inside (the test's SAVEPOINT stands for BEGIN): the known person's row read (locked on
    # PostgreSQL, never written: a declaration does not change a stored person), "already inside?",
    # the INSERT and the audit event with its subject, with no savepoint of their own.
    assert statements == [
        "SELECT",
        "SAVEPOINT",
        "SELECT",
        "SELECT",
        "INSERT",
        "INSERT",
        "INSERT",
        "RELEASE",
    ]
    assert AuditSubject.objects.latest("id").person_id == response.json()["person_id"]


def test_a_venue_moved_out_of_the_officials_area_is_refused_at_once(send, venue):
    assert send(venue).status_code == 201
    venue.commune_id = actors.COMMUNE_B
    venue.save()
    assert send(venue, full_name="Nguyễn Thị B").status_code == 403


def test_a_returning_person_is_kept_as_stored_and_the_spelling_sent_stays_with_the_check_in(send, venue):
    first = send(venue, birth_year=1985, citizen_id="038085000123")
    CheckIn.objects.all().delete()
    again = send(venue, full_name="nguyễn  văn a", birth_year=1990)
    assert again.json()["person_id"] == first.json()["person_id"]
    person = Person.objects.get()
    assert (person.full_name, person.birth_year, person.citizen_id) == ("Nguyễn Văn A", 1985, "038085000123")
    assert CheckIn.objects.get().declared_name == "nguyễn văn a"


def test_another_name_on_a_known_phone_checks_in_a_ward_not_a_renamed_owner(send, venue):
    owner = send(venue).json()["person_id"]
    child = send(venue, full_name="Nguyễn Thị B", birth_year=2015).json()["person_id"]
    assert child != owner
    assert Person.objects.get(pk=child).guardian_id == owner
    assert Person.objects.get(pk=owner).full_name == "Nguyễn Văn A"


def test_a_citizen_id_already_someone_elses_is_refused_before_anything_is_saved(send, venue):
    citizen_id = "038085000123"
    actors.make_person(
        "Trần Văn C",
        phone="+84987654321",
        citizen_id=citizen_id,
        citizen_id_hash=lookup_hash("citizen_id", citizen_id),
    )
    response = send(venue, citizen_id=citizen_id)
    assert response.status_code == 400
    assert "citizen_id" in response.json()["detail"]
    assert not CheckIn.objects.exists() and Person.objects.count() == 1


def test_a_revoked_token_is_refused_at_once_though_it_was_just_used(client, send, venue, commune_official):
    token = api_token_create(user=commune_official)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"venue_code": venue.code, "person": {"phone": "0912.345.678", "full_name": "Nguyễn Văn A"}}
    assert (
        client.post("/api/v1/checkins", body, content_type="application/json", headers=headers).status_code
        == 201
    )
    api_token_revoke(token=ApiToken.objects.get(prefix=token[:12]), actor=None)
    again = client.post("/api/v1/checkins", body, content_type="application/json", headers=headers)
    assert again.status_code == 401


def test_an_official_moved_out_of_the_area_is_refused_at_once(send, venue, commune_official):
    assert send(venue).status_code == 201
    commune_official.memberships.update_or_create(defaults={"area_code": str(actors.COMMUNE_B)})
    assert send(venue, full_name="Nguyễn Thị B").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("known", [False, True], ids=["new phone", "known phone"])
def test_a_double_submit_racing_itself_records_one_check_in(known, commune_official):
    """The person upsert locks the row, so the second submit waits and then finds the first visit."""
    venue = actors.make_venue()
    if known:
        actors.make_person()
    identity = Identity(full_name="Nguyễn Văn A", phone="+84912345678")

    def submit():
        checkin, created = checkin_record(
            user=commune_official,
            venue_code=venue.code,
            identity=identity,
            declaration=None,
            entered_at=None,
            left_at=None,
        )
        return checkin.pk, created

    results = at_once([submit] * 4)
    assert len(results) == 4 and len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, False, False, True]
    assert CheckIn.objects.count() == 1 and Person.objects.count() == 1


def test_a_batchs_venues_are_read_in_one_statement_and_then_kept(venue):
    other = actors.make_venue()
    _venues_by_code.clear()
    codes = {venue.code.lower(), f" {other.code} ", "NOSUCH1"}
    with CaptureQueriesContext(connection) as read:
        found = venues_by_code(codes)
    assert found == {venue.code: venue, other.code: other, "NOSUCH1": None}
    assert len(read.captured_queries) == 1
    with CaptureQueriesContext(connection) as again:
        assert venues_by_code({venue.code, other.code}) == {venue.code: venue, other.code: other}
    assert again.captured_queries == []
