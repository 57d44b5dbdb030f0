from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.people.models import Person
from qrtrace.privacy.services import checkin_purge_expired
from qrtrace.tracing.models import Case, CaseStatus, Exposure
from tests.actors import make_person, make_venue
from tests.privacy.history import old_person, visits

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
CUTOFF = NOW - timedelta(days=21)  # QRTRACE_RETENTION_DAYS defaults to 21


@pytest.fixture
def venue(db):
    return make_venue()


def _person(name: str, phone: str | None, **fields) -> Person:
    return old_person(name, phone, now=NOW, **fields)


def _visits(person: Person, venue, *days_ago: float) -> list[int]:
    return visits(person, venue, *days_ago, now=NOW)


def test_purge_removes_exactly_the_expired_check_ins_and_keeps_those_under_an_open_case(venue):
    old_only = _person("Chỉ có lượt cũ", "+84900000001")
    mixed = _person("Cũ và mới", "+84900000002")
    case_person = _person("Ca bệnh F0", "+84900000003")
    exposed = _person("F1 của ca bệnh", "+84900000004")
    removed = [
        *_visits(old_only, venue, 22, 30, 21.001),  # 21.001 days: about a minute and a half too old
        *_visits(mixed, venue, 25),
    ]
    kept = [
        *_visits(mixed, venue, 20.999, 1),
        *_visits(case_person, venue, 23, 2),
        *_visits(exposed, venue, 24),
    ]
    # Confirmed 23 days ago: its infectious window (and the margin tracing reads) covers all three.
    case = Case.objects.create(person=case_person, confirmed_at=NOW - timedelta(days=23))
    Exposure.objects.create(case=case, person=exposed, level="F1", source_person=case_person)

    result = checkin_purge_expired(now=NOW)

    assert sorted(CheckIn.objects.values_list("pk", flat=True)) == sorted(kept)
    assert (result.checkins_deleted, result.checkins_held) == (len(removed), 2)
    assert result.persons_deleted == 1
    survivors = set(Person.objects.values_list("full_name", flat=True))
    assert survivors == {"Cũ và mới", "Ca bệnh F0", "F1 của ca bệnh"}


def test_records_held_for_a_case_are_purged_once_the_case_closes(venue):
    case_person = _person("Ca bệnh F0", "+84900000003")
    exposed = _person("F1 của ca bệnh", "+84900000004")
    _visits(case_person, venue, 23)
    _visits(exposed, venue, 24)
    case = Case.objects.create(person=case_person, confirmed_at=NOW - timedelta(days=25))
    Exposure.objects.create(case=case, person=exposed, level="F1", source_person=case_person)
    assert checkin_purge_expired(now=NOW).checkins_deleted == 0

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RECOVERED, closed_at=NOW)
    result = checkin_purge_expired(now=NOW)

    assert (result.checkins_deleted, result.checkins_held) == (2, 0)
    assert not CheckIn.objects.exists()
    # The case and its contact list are records of their own; their people stay with them.
    assert Person.objects.count() == 2


def test_people_are_deleted_only_when_nothing_refers_to_them(venue):
    guardian = _person("Người giám hộ", "+84900000005")
    ward = _person("Cháu bé", None, guardian=guardian)
    newcomer = make_person("Mới nhận thẻ QR", "+84900000006")  # created now: no check-in yet is normal
    _visits(ward, venue, 30)

    result = checkin_purge_expired(now=NOW)

    # The ward goes with their last check-in; that frees the guardian in the same run.
    assert result.persons_deleted == 2
    assert list(Person.objects.all()) == [newcomer]


def test_a_check_in_inside_the_retention_period_is_never_touched(venue):
    person = _person("Vừa khai báo", "+84900000007")
    _visits(person, venue, 0, 20.99)
    result = checkin_purge_expired(now=NOW)
    assert (result.checkins_deleted, result.persons_deleted) == (0, 0)
    assert CheckIn.objects.count() == 2


def test_each_run_is_audited_and_reported_by_the_command(venue, capsys):
    _visits(_person("Chỉ có lượt cũ", "+84900000001"), venue, 40, 41)
    call_command("purge")
    event = AuditEvent.objects.get(action="purge")
    assert (event.details["checkins_deleted"], event.details["persons_deleted"]) == (2, 1)
    assert "2 check-ins deleted" in capsys.readouterr().out


def test_purge_works_in_batches_smaller_than_the_expired_set(venue, monkeypatch):
    from qrtrace.privacy import services

    monkeypatch.setattr(services, "BATCH", 3)
    person = _person("Nhiều lượt", "+84900000008")
    _visits(person, venue, *range(22, 32))  # ten expired check-ins, four batches
    _visits(person, venue, 1)
    assert checkin_purge_expired(now=NOW).checkins_deleted == 10
    assert CheckIn.objects.count() == 1
