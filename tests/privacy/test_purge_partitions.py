"""The purge on PostgreSQL: expired days go as whole partitions, rows an open case needs survive."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.partitions import DEFAULT, local_day, partition_ensure, partition_list, partition_name
from qrtrace.people.models import Person
from qrtrace.privacy.services import checkin_purge_expired
from qrtrace.tracing.models import Case, CaseStatus, Exposure
from tests.actors import make_venue
from tests.privacy.history import old_person, visits

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Before any day the migration made partitions for (it starts at the day the test database is built).
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
CUTOFF_DAY = local_day(NOW - timedelta(days=21))  # 25 May: its first 9 hours are expired


def _person(name: str, phone: str | None, **fields) -> Person:
    return old_person(name, phone, now=NOW, **fields)


def _visits(person: Person, venue, *days_ago: float) -> list[int]:
    return visits(person, venue, *days_ago, now=NOW)


def _partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM checkins_checkin WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def venue(db):
    return make_venue()


@pytest.fixture
def month_of_partitions(db):
    return partition_ensure(now=NOW, days_back=30, days_ahead=0)


def test_purge_drops_whole_expired_days_and_keeps_the_rows_of_an_open_case(venue, month_of_partitions):
    old_only = _person("Chỉ có lượt cũ", "+84900000001")
    case_person = _person("Ca bệnh F0", "+84900000003")
    exposed = _person("F1 của ca bệnh", "+84900000004")
    removed = _visits(old_only, venue, 22, 25, 30, 21.2)  # 21.2 days: 04:12 on the cutoff day
    held = [*_visits(case_person, venue, 23), *_visits(exposed, venue, 24)]
    kept = [*_visits(old_only, venue, 20.9, 1), *_visits(case_person, venue, 2)]
    # Confirmed 23 days ago: the held visits lie in what tracing the case may read.
    case = Case.objects.create(person=case_person, confirmed_at=NOW - timedelta(days=23))
    Exposure.objects.create(case=case, person=exposed, level="F1", source_person=case_person)

    result = checkin_purge_expired(now=NOW)

    assert sorted(CheckIn.objects.values_list("pk", flat=True)) == sorted(held + kept)
    assert (result.checkins_deleted, result.checkins_held) == (len(removed), len(held))
    # 16–24 May went whole (nine days); 25 May, the cutoff day, stays: its later hours are not expired.
    assert result.partitions_dropped == 9
    days = {p.day for p in partition_list()}
    assert CUTOFF_DAY in days and CUTOFF_DAY - timedelta(days=1) not in days
    assert {_partition_of(pk) for pk in held} == {DEFAULT}


def test_rows_held_in_the_default_partition_go_once_the_case_closes(venue, month_of_partitions):
    case_person = _person("Ca bệnh F0", "+84900000003")
    held = _visits(case_person, venue, 23)
    case = Case.objects.create(person=case_person, confirmed_at=NOW - timedelta(days=25))
    checkin_purge_expired(now=NOW)
    assert _partition_of(held[0]) == DEFAULT

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RECOVERED, closed_at=NOW)
    result = checkin_purge_expired(now=NOW)

    assert (result.checkins_deleted, result.checkins_held, result.partitions_dropped) == (1, 0, 0)
    assert not CheckIn.objects.exists()


def test_the_purge_command_creates_the_days_ahead_before_purging(capsys):
    next_week = local_day(datetime.now(UTC)) + timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {partition_name(next_week)}")

    call_command("purge")

    assert next_week in {p.day for p in partition_list()}
    assert "1 day partitions created" in capsys.readouterr().out
