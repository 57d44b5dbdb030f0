import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from qrtrace.checkins.models import CheckIn
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quarantine_policies(db):
    """The demo orders quarantine under the policies `migrate` ships (gone after a transactional test)."""
    from tests.quarantine.policies import ensure_ministry_policies

    ensure_ministry_policies()


SMALL = ["--communes", "3", "--venues", "4", "--people", "50", "--days", "3", "--no-progress"]


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_creates_venues_people_and_check_ins_of_the_province():
    out = _demo(*SMALL)
    assert Venue.objects.filter(commune__province_id=38, status="active").count() == 12
    assert Person.objects.count() == 50
    checkins = CheckIn.objects.count()
    assert checkins > 50 * 3  # about two visits a person a day
    assert f"{checkins} check-ins created" in out
    assert not CheckIn.objects.filter(left_at__lt=F("entered_at")).exists()


def test_demo_is_idempotent():
    _demo(*SMALL)
    counts = (Venue.objects.count(), Person.objects.count(), CheckIn.objects.count())
    out = _demo(*SMALL)
    assert (Venue.objects.count(), Person.objects.count(), CheckIn.objects.count()) == counts
    assert "0 venues, 0 people, 0 check-ins created" in out


def test_demo_creates_officials_who_can_sign_in(client):
    out = _demo(*SMALL)
    assert "cdc / qrtrace-demo" in out
    assert client.login(username="cdc", password="qrtrace-demo")


def test_demo_refuses_nonsense_sizes():
    with pytest.raises(CommandError, match="at least 1"):
        _demo("--people", "0")


def test_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _demo(*SMALL)


@pytest.mark.postgres
def test_on_postgresql_the_demo_history_lands_in_day_partitions_not_the_default_one():
    """As on a database migrated days ago: the recent days have no partition until someone makes one."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from qrtrace.checkins.partitions import DEFAULT, local_day, partition_name

    today = local_day(timezone.now())
    with connection.cursor() as cursor:
        for back in range(4):
            cursor.execute(f"DROP TABLE IF EXISTS {partition_name(today - timedelta(days=back))}")
    _demo(*SMALL)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT}")  # noqa: S608 - our own table name
        assert cursor.fetchone()[0] == 0
    assert CheckIn.objects.count() > 0


def _visits_by_person() -> dict[int, list[tuple]]:
    from datetime import timedelta

    visits: dict[int, list[tuple]] = {}
    for checkin in CheckIn.objects.select_related("venue").order_by("person_id", "entered_at"):
        end = checkin.left_at or checkin.entered_at + timedelta(minutes=checkin.venue.default_stay_minutes)
        visits.setdefault(checkin.person_id, []).append((checkin.entered_at, end, checkin.venue))
    return visits


def test_no_demo_person_is_in_two_places_at_once():
    _demo(*SMALL)
    for visits in _visits_by_person().values():
        for (_entered, end, _venue), (next_entered, _end, _next) in itertools.pairwise(visits):
            assert next_entered >= end


def test_demo_visits_begin_while_the_venue_is_open():
    from django.utils import timezone

    _demo(*SMALL)
    for visits in _visits_by_person().values():
        for entered, _end, venue in visits:
            if venue.always_open:
                continue
            assert venue.opens_at <= timezone.localtime(entered).time() < venue.closes_at


def test_demo_names_match_one_sex_and_addresses_do_not_repeat_the_commune():
    from qrtrace.demo.services import NAMES_BY_SEX

    _demo(*SMALL)
    (male_middle, male_given), (female_middle, female_given) = NAMES_BY_SEX
    for name in Person.objects.values_list("full_name", flat=True):
        _family, middle, given = name.split(" ", 2)
        assert (middle in male_middle and given in male_given) or (
            middle in female_middle and given in female_given
        ), name
    for venue in Venue.objects.select_related("commune"):
        assert venue.commune.name not in venue.address


def test_demo_makes_quarantine_facilities_and_orders_in_several_states():
    from qrtrace.quarantine.models import Facility, QuarantineOrder

    out = _demo(*SMALL)
    assert Facility.objects.filter(code__startswith="DEMO-").count() == 3
    statuses = set(QuarantineOrder.objects.values_list("status", flat=True))
    assert {"ordered", "in_quarantine", "completed", "ended_early", "absconded"} <= statuses
    assert (
        QuarantineOrder.objects.filter(kind="home").exists()
        and QuarantineOrder.objects.filter(kind="facility").exists()
    )
    assert QuarantineOrder.objects.exclude(certificate_number=None).exists()
    assert "demo sign-in: kcl" in out
    before = QuarantineOrder.objects.count()
    _demo(*SMALL)
    assert QuarantineOrder.objects.count() == before
