from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, CheckInMethod, CheckOutMethod, Risk
from qrtrace.checkins.services.visits import checkin_checkout, checkin_create, checkin_self_create
from qrtrace.checkins.signals import late_checkins_recorded
from qrtrace.people.identity import Identity
from qrtrace.people.models import Person
from qrtrace.people.services import person_declare

pytestmark = pytest.mark.django_db

A = Identity(full_name="Nguyễn Văn A", phone="+84912345678", birth_year=1985)


def test_checking_in_twice_while_inside_returns_the_first_visit(venue):
    person = person_declare(identity=A)[0]
    first, created = checkin_create(venue=venue, person=person, method=CheckInMethod.SELF_SCAN)
    second, created_again = checkin_create(venue=venue, person=person, method=CheckInMethod.SELF_SCAN)
    assert (created, created_again) == (True, False)
    assert second.pk == first.pk and CheckIn.objects.count() == 1


def test_after_the_usual_stay_a_new_scan_is_a_new_visit(venue):
    person = person_declare(identity=A)[0]
    earlier = timezone.now() - venue.default_stay - timedelta(minutes=1)
    checkin_create(venue=venue, person=person, method=CheckInMethod.API, entered_at=earlier)
    _checkin, created = checkin_create(venue=venue, person=person, method=CheckInMethod.SELF_SCAN)
    assert created and CheckIn.objects.count() == 2


@pytest.mark.parametrize("who", ["person", "nobody yet"])
def test_a_prepared_visit_is_the_instance_a_keyword_build_makes(venue, venue_staff, who):
    import uuid

    from qrtrace.checkins.services.visits import checkin_prepare

    person = person_declare(identity=A)[0] if who == "person" else None
    now, client_id = timezone.now(), uuid.uuid4()
    left = now + timedelta(minutes=3)
    built = checkin_prepare(
        venue=venue,
        person=person,
        method=CheckInMethod.API,
        declaration={"fever": True},
        entered_at=now,
        left_at=left,
        staff=venue_staff,
        client_id=client_id,
        now=now,
    )
    by_keyword = CheckIn(
        venue=venue,
        person=person,
        entered_at=now,
        left_at=left,
        checkout_method=CheckOutMethod.API,
        method=CheckInMethod.API,
        staff=venue_staff,
        risk=Risk.RED,
        client_id=client_id,
        fever=True,
    )
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(by_keyword).items() if k != "_state"
    }
    assert (built.venue, built.staff) == (venue, venue_staff)
    if person is not None:
        assert built.person == person


def test_the_declaration_sets_the_colour(venue):
    person = person_declare(identity=A)[0]
    red, _ = checkin_create(venue=venue, person=person, method="self_scan", declaration={"cough": True})
    assert (red.risk, red.cough, red.fever) == (Risk.RED, True, False)


def test_family_members_become_people_with_the_submitter_as_guardian(venue):
    done = checkin_self_create(
        venue=venue, submitter=A, declaration={}, new_members=[("Nguyễn Thị B", 2018), ("Lê Văn C", 1940)]
    )
    checkins = done.checkins
    assert done.created and done.device_token is None  # not asked to remember the phone
    submitter = Person.objects.get(guardian__isnull=True)
    wards = Person.objects.filter(guardian=submitter).order_by("full_name")
    assert [w.full_name for w in wards] == ["Lê Văn C", "Nguyễn Thị B"]
    assert all(w.phone is None for w in wards)
    assert sorted(c.person_id for c in checkins) == sorted([submitter.pk, *[w.pk for w in wards]])


def test_a_family_member_declared_again_is_the_same_person(venue, other_venue):
    checkin_self_create(venue=venue, submitter=A, declaration={}, new_members=[("Nguyễn Thị B", 2018)])
    checkin_self_create(venue=other_venue, submitter=A, declaration={}, new_members=[("Nguyễn Thị B", 2018)])
    assert Person.objects.count() == 2


def test_a_known_familys_visits_are_read_once_and_inserted_once_and_one_still_inside_keeps_hers(venue):
    """The submitter and the family they bring: one read of their recent visits, one INSERT of the new
    ones, each check-in its own pk and its own declaration; a member still inside gets that visit."""
    from django.test.utils import CaptureQueriesContext

    child = ("Nguyễn Thị B", 2018)
    first = checkin_self_create(venue=venue, submitter=A, declaration={}, new_members=[child])
    child_inside = first.checkins[1]
    CheckIn.objects.filter(pk=first.checkins[0].pk).update(left_at=timezone.now())  # the parent left
    with CaptureQueriesContext(connection) as queries:
        done = checkin_self_create(
            venue=venue,
            submitter=A,
            declaration={"cough": True},
            new_members=[child, ("Lê Văn C", 1940)],
            new_member_declarations=[{}, {"fever": True}],
        )
    on_checkins = [q["sql"] for q in queries if "checkins_checkin" in q["sql"]]
    # The family's recent visits, the visit the child is still in (read whole), one INSERT.
    assert [sql.split()[0] for sql in on_checkins] == ["SELECT", "SELECT", "INSERT"]
    parent, child, grandfather = done.checkins
    assert child.pk == child_inside.pk  # still inside: her visit, not a second one
    assert CheckIn.objects.count() == 4 and len({parent.pk, child.pk, grandfather.pk}) == 3
    stored = {c.pk: c for c in CheckIn.objects.select_related("person")}
    assert (stored[parent.pk].person.full_name, stored[parent.pk].cough) == ("Nguyễn Văn A", True)
    assert (stored[grandfather.pk].person.full_name, stored[grandfather.pk].fever) == ("Lê Văn C", True)
    assert not stored[grandfather.pk].cough  # his own declaration, not the submitter's


def test_a_second_check_out_keeps_the_first_time(venue):
    checkin, _ = checkin_create(venue=venue, person=person_declare(identity=A)[0], method="self_scan")
    first = checkin_checkout(checkin=checkin, method=CheckOutMethod.BUTTON)
    second = checkin_checkout(checkin=checkin, method=CheckOutMethod.RESCAN)
    assert second.left_at == first.left_at and second.checkout_method == CheckOutMethod.BUTTON


def test_a_check_out_names_the_partition_key_in_every_statement_on_the_check_in(venue):
    """On PostgreSQL `entered_at` prunes the day partitions; by id alone, every one is planned."""
    from django.test.utils import CaptureQueriesContext

    checkin, _ = checkin_create(venue=venue, person=person_declare(identity=A)[0], method="self_scan")
    with CaptureQueriesContext(connection) as queries:
        checkin_checkout(checkin=checkin, method=CheckOutMethod.BUTTON)
    touching = [q["sql"] for q in queries if "checkins_checkin" in q["sql"]]
    assert len(touching) == 2  # the locked read, the update
    assert all("entered_at" in sql.split("WHERE", 1)[1] for sql in touching)
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert stored.left_at is not None
    assert stored.checkout_method == CheckOutMethod.BUTTON


def test_a_check_in_cannot_end_before_it_began(venue):
    with pytest.raises(ValidationError), transaction.atomic():
        checkin_create(
            venue=venue,
            person=person_declare(identity=A)[0],
            method="api",
            entered_at=timezone.now(),
            left_at=timezone.now() - timedelta(hours=1),
        )
    assert not CheckIn.objects.exists()


def test_the_expiry_command_checks_out_at_the_usual_stay_and_says_so(venue, make_checkin, capsys):
    person = person_declare(identity=A)[0]
    long_ago = timezone.now() - timedelta(hours=5)
    old = make_checkin(venue, person, entered_at=long_ago)
    fresh = make_checkin(venue, person, entered_at=timezone.now())
    call_command("checkout-expired")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.left_at == long_ago + venue.default_stay and old.checkout_method == CheckOutMethod.AUTO
    assert fresh.left_at is None
    assert "1" in capsys.readouterr().out


def test_a_late_check_in_tells_tracing_after_commit(venue, django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append(kwargs)

    late_checkins_recorded.connect(listener)
    try:
        entered = timezone.now() - timedelta(hours=3)
        with django_capture_on_commit_callbacks(execute=True):
            checkin, _ = checkin_create(
                venue=venue, person=person_declare(identity=A)[0], method="api", entered_at=entered
            )
            checkin_create(venue=venue, person=person_declare(identity=A)[0], method="self_scan")
    finally:
        late_checkins_recorded.disconnect(listener)
    assert len(received) == 1
    assert received[0]["checkin_ids"] == [checkin.pk] and received[0]["earliest"] == entered
