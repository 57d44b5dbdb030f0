"""POST /api/v1/checkins/batch: a gate device's queue, idempotent by client id, answered per item."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from qrtrace.accounts.services import api_token_create
from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.personal_qr import personal_token
from qrtrace.checkins.services.personal_codes import personal_code_issue
from qrtrace.checkins.signals import late_checkins_recorded
from qrtrace.lib.crypto import lookup_hash
from qrtrace.people.models import Person
from tests import actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(client):
    def send(user, items):
        token = api_token_create(user=user)
        return client.post(
            "/api/v1/checkins/batch",
            {"items": items},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return send


def _visit(venue, n: int, *, minutes_ago: int = 90, **overrides) -> dict:
    entered = (timezone.now() - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    item = {
        "client_id": str(uuid.uuid4()),
        "venue_code": venue.code,
        "person": {"phone": f"09{n:08d}", "full_name": f"Người {n}", "birth_year": 1980 + n % 30},
        "entered_at": entered.isoformat(),
        "declaration": {"cough": n % 7 == 0},
    }
    return item | overrides


def test_a_batch_of_500_with_3_bad_items_records_497_reports_3_and_a_resend_records_none(
    send, venue, venue_staff
):
    items = [_visit(venue, n) for n in range(500)]
    items[10]["person"]["phone"] = "12345"  # not a phone number
    items[200]["entered_at"] = (timezone.now() + timedelta(hours=3)).isoformat()  # in the future
    items[499] = {"client_id": "not-a-uuid", "venue_code": venue.code}  # unreadable

    response = send(venue_staff, items)

    assert response.status_code == 200
    body = response.json()
    assert (body["recorded"], body["duplicates"], body["refused"]) == (497, 0, 3)
    refused = [item for item in body["items"] if item["status"] == "refused"]
    assert [item["index"] for item in refused] == [10, 200, 499]
    # The schema states the phone rule (issue 12 §5), so its validation names the field.
    assert [error["loc"] for error in refused[0]["reason"]] == [["person", "phone"]]
    assert "entered_at" in refused[1]["reason"]
    assert CheckIn.objects.filter(venue=venue).count() == 497
    recorded = {item["client_id"] for item in body["items"] if item["status"] == "recorded"}
    assert set(map(str, CheckIn.objects.values_list("client_id", flat=True))) == recorded

    again = send(venue_staff, items).json()

    assert (again["recorded"], again["duplicates"], again["refused"]) == (0, 497, 3)
    assert CheckIn.objects.count() == 497
    assert [item["id"] for item in again["items"]] == [item["id"] for item in body["items"]]


def test_items_keep_the_times_the_device_recorded_and_a_later_check_out_closes_the_visit(
    send, venue, venue_staff
):
    visit = _visit(venue, 1, minutes_ago=180)
    left = (timezone.now() - timedelta(minutes=100)).replace(microsecond=0)
    body = send(
        venue_staff,
        [visit, {"kind": "checkout", "client_id": visit["client_id"], "left_at": left.isoformat()}],
    ).json()

    assert [item["status"] for item in body["items"]] == ["recorded", "recorded"]
    checkin = CheckIn.objects.get()
    assert checkin.entered_at == datetime.fromisoformat(visit["entered_at"])
    assert checkin.left_at == left
    assert checkin.staff == venue_staff
    assert checkin.person.phone == "+84900000001"

    again = send(
        venue_staff, [{"kind": "checkout", "client_id": visit["client_id"], "left_at": left.isoformat()}]
    )
    assert again.json()["items"][0]["status"] == "duplicate"


def test_a_check_out_of_a_visit_never_received_is_refused(send, venue, venue_staff):
    body = send(
        venue_staff,
        [{"kind": "checkout", "client_id": str(uuid.uuid4()), "left_at": timezone.now().isoformat()}],
    ).json()

    assert body["items"][0]["status"] == "refused"
    assert "client_id" in body["items"][0]["reason"]


def test_a_venue_outside_the_callers_area_is_refused_like_one_that_does_not_exist(
    send, venue, other_venue_staff
):
    body = send(other_venue_staff, [_visit(venue, 1), _visit(venue, 2, venue_code="ZZZZZZ")]).json()

    assert [item["status"] for item in body["items"]] == ["refused", "refused"]
    assert body["items"][0]["reason"] == body["items"][1]["reason"]
    assert CheckIn.objects.count() == 0


def test_a_batch_writes_one_audit_event_naming_everyone_it_recorded(send, venue, venue_staff):
    send(venue_staff, [_visit(venue, n) for n in range(5)])

    event = AuditEvent.objects.get(object_type="checkin_batch")
    assert event.actor == venue_staff
    assert event.details["recorded"] == 5
    assert event.subjects.count() == 5


def test_late_visits_fire_one_late_check_ins_signal_for_the_batch(
    send, venue, venue_staff, django_capture_on_commit_callbacks
):
    received = []

    def listener(**kwargs):
        received.append(kwargs)

    late_checkins_recorded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            send(venue_staff, [_visit(venue, n, minutes_ago=120 + n) for n in range(3)])
    finally:
        late_checkins_recorded.disconnect(listener)

    assert len(received) == 1
    assert sorted(received[0]["checkin_ids"]) == sorted(CheckIn.objects.values_list("id", flat=True))
    assert received[0]["venue_ids"] == [venue.pk]


def test_more_than_500_items_is_refused_whole(send, venue, venue_staff):
    response = send(venue_staff, [_visit(venue, n) for n in range(501)])

    assert response.status_code == 422
    assert CheckIn.objects.count() == 0


def test_an_anonymous_batch_is_refused(client, venue):
    response = client.post(
        "/api/v1/checkins/batch", {"items": [_visit(venue, 1)]}, content_type="application/json"
    )
    assert response.status_code == 401
    assert CheckIn.objects.count() == 0


def test_a_commune_official_syncs_for_any_venue_of_the_area(send, venue, commune_official):
    body = send(commune_official, [_visit(venue, 3)]).json()
    assert body["recorded"] == 1
    assert CheckIn.objects.get().staff == commune_official


def test_a_citizen_id_that_is_another_persons_refuses_that_item_only(send, venue, venue_staff):
    taken = "038045000321"
    actors.make_person(
        "Lê Thị Cụ", "+84912000111", citizen_id=taken, citizen_id_hash=lookup_hash("citizen_id", taken)
    )
    items = [_visit(venue, 1), _visit(venue, 2)]
    items[0]["person"]["citizen_id"] = taken

    body = send(venue_staff, items).json()

    assert [item["status"] for item in body["items"]] == ["refused", "recorded"]
    assert CheckIn.objects.count() == 1


def test_a_personal_card_scanned_offline_is_checked_at_sync_and_a_forged_one_refused(
    send, venue, venue_staff
):
    grandmother = personal_code_issue(person=actors.make_person("Lê Thị Cụ", None))
    genuine = personal_token(grandmother)
    forged = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
    items = [_visit(venue, 1), _visit(venue, 2), _visit(venue, 3)]
    for item, code in zip(items, (genuine, forged, genuine), strict=True):
        del item["person"]
        item["personal_code"] = code
    items[2]["person"] = {"phone": "0912000444", "full_name": "Hai người"}  # both: which one?

    body = send(venue_staff, items).json()

    assert [item["status"] for item in body["items"]] == ["recorded", "refused", "refused"]
    assert "personal_code" in body["items"][1]["reason"]
    assert CheckIn.objects.get().person == grandmother


def test_the_same_person_twice_at_a_venue_in_one_batch_is_one_visit(send, venue, venue_staff):
    first = _visit(venue, 5, minutes_ago=30)
    again = _visit(venue, 5, minutes_ago=25)  # another scan of the same card five minutes later

    body = send(venue_staff, [first, again]).json()

    assert [item["status"] for item in body["items"]] == ["recorded", "duplicate"]
    assert CheckIn.objects.count() == 1


def test_a_batch_flags_an_impossible_sequence_within_itself_as_single_check_ins_are_flagged(
    send, venue, settings
):
    settings.QRTRACE_REVIEW_SEQUENCE_SECONDS = 120
    far = actors.make_venue("Chợ Sầm Sơn", actors.COMMUNE_B, kind="market")
    province = actors.make_official("cdc_batch", "province", "38")
    near = _visit(venue, 6, minutes_ago=30)
    elsewhere = _visit(far, 6, minutes_ago=29)  # another commune a minute later

    send(province, [near, elsewhere])

    assert CheckIn.objects.get(venue=venue).review_reason == ""
    assert CheckIn.objects.get(venue=far).review_reason == "impossible_sequence"


def test_people_a_batch_creates_are_not_looked_up_for_earlier_visits_and_the_known_still_are(
    send, venue, venue_staff
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inside = _visit(venue, 1, minutes_ago=40)
    assert send(venue_staff, [inside]).json()["recorded"] == 1
    with CaptureQueriesContext(connection) as only_new:
        body = send(venue_staff, [_visit(venue, 2, minutes_ago=30), _visit(venue, 3, minutes_ago=30)]).json()
    assert body["recorded"] == 2
    assert not [q for q in only_new.captured_queries if "v.commune_id" in q["sql"]]  # no recent-visits read

    body = send(venue_staff, [_visit(venue, 4, minutes_ago=20), _visit(venue, 1, minutes_ago=10)]).json()

    assert [item["status"] for item in body["items"]] == ["recorded", "duplicate"]  # 1 is still inside
    assert CheckIn.objects.count() == 4


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2020-01-01T08:00:00+07:00"]
)
def test_a_broken_device_clock_refuses_its_items_and_never_errs(send, venue, venue_staff, when):
    visit = _visit(venue, 1, entered_at=when)
    leave = {"kind": "checkout", "client_id": visit["client_id"], "left_at": when}

    response = send(venue_staff, [visit, leave, _visit(venue, 2)])

    assert response.status_code == 200
    assert [item["status"] for item in response.json()["items"]] == ["refused", "refused", "recorded"]
    assert "entered_at" in response.json()["items"][0]["reason"]


def test_people_in_a_batch_follow_the_identity_rules_of_single_check_ins(send, venue, venue_staff):
    # Written in two statements for the whole batch (PersonUpsert.run_many), with the rare cases
    # one by one: the rules are those of person_declare.
    known = _visit(venue, 1, minutes_ago=1_400)
    assert send(venue_staff, [known]).json()["recorded"] == 1
    owner = Person.objects.get(full_name="Người 1")
    same_new = [_visit(venue, 2, minutes_ago=1_000), _visit(venue, 2, minutes_ago=30)]
    respelled = _visit(venue, 1, minutes_ago=60)
    respelled["person"] |= {"full_name": "NGƯỜI  1", "birth_year": 1950}  # the owner, typed otherwise
    sharing = _visit(venue, 1, minutes_ago=50)
    sharing["person"] |= {"full_name": "Con của Người 1"}  # someone else on the owner's phone

    body = send(venue_staff, [*same_new, respelled, sharing]).json()

    assert [item["status"] for item in body["items"]] == ["recorded"] * 4
    assert Person.objects.filter(full_name="Người 2").count() == 1  # a new phone twice: one person
    owner.refresh_from_db()
    assert (owner.full_name, owner.birth_year) == ("Người 1", 1981)  # never changed by a declaration
    ward = Person.objects.get(full_name="Con của Người 1")
    assert ward.guardian_id == owner.pk
    by_id = {c.pk: c for c in CheckIn.objects.all()}
    people = [by_id[item["id"]].person_id for item in body["items"]]
    assert people[0] == people[1] and people[2] == owner.pk and people[3] == ward.pk
    assert by_id[body["items"][2]["id"]].declared_name == "NGƯỜI 1"
