"""The check-in table's day partitions on PostgreSQL (qrtrace.checkins.partitions, migration 0004)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.partitions import (
    DEFAULT,
    TABLE,
    day_bounds,
    local_day,
    partition_drop_before,
    partition_ensure,
    partition_list,
    partition_name,
)
from tests.actors import make_person, make_venue

pytestmark = pytest.mark.django_db

# Before any day the migration made partitions for (it starts at the day the test database is built).
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = local_day(NOW)


def _query(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _home_of(pk: int) -> str:
    """The partition a check-in row is stored in."""
    return _query(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])[0][0]  # noqa: S608


def _checkin(venue, person, entered_at) -> CheckIn:
    return CheckIn.objects.create(venue=venue, person=person, entered_at=entered_at, method="api")


@pytest.fixture
def venue(db):
    return make_venue()


@pytest.fixture
def person(db):
    return make_person()


@pytest.mark.postgres
def test_the_check_in_table_is_partitioned_by_range_of_entry_time():
    strategy, key = _query(
        "SELECT p.partstrat, a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
        "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = %s::regclass",
        [TABLE],
    )[0]
    assert (strategy, key) == ("r", "entered_at")
    primary_key = _query(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [TABLE],
    )
    assert primary_key == [("PRIMARY KEY (id, entered_at)",)]


@pytest.mark.postgres
def test_a_day_partition_holds_one_vietnamese_calendar_day_and_a_default_partition_the_rest():
    partition_ensure(now=NOW, days_ahead=1)
    bounds = dict(
        _query(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
    )
    # Local midnight in Vietnam (UTC+7) is 17:00 UTC the evening before; the session speaks UTC.
    assert bounds[partition_name(TODAY)] == (
        "FOR VALUES FROM ('2026-06-14 17:00:00+00') TO ('2026-06-15 17:00:00+00')"
    )
    assert bounds[DEFAULT] == "DEFAULT"
    assert day_bounds(TODAY)[0].astimezone(UTC) == datetime(2026, 6, 14, 17, tzinfo=UTC)


@pytest.mark.postgres
def test_every_day_partition_carries_the_tracing_and_visitor_log_indexes():
    partition_ensure(now=NOW, days_ahead=0)
    indexed = {
        definition.split(" USING btree ")[1]
        for (definition,) in _query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [partition_name(TODAY)]
        )
    }
    for columns in (
        "(venue_id, entered_at) INCLUDE (id, person_id, left_at)",  # covering (checkins 0006)
        "(person_id, entered_at)",
        "(entered_at)",
        "(venue_id, left_at)",
    ):
        assert columns in indexed
    assert "(id, entered_at)" in indexed  # the primary key, per partition


@pytest.mark.postgres
def test_ids_stay_unique_and_a_check_in_is_found_by_id_alone(venue, person):
    partition_ensure(now=NOW, days_ahead=0)
    first = _checkin(venue, person, NOW)
    second = _checkin(venue, person, NOW - timedelta(days=300))  # no partition that day: default
    assert second.pk > first.pk
    assert CheckIn.objects.get(pk=first.pk).entered_at == NOW
    assert (_home_of(first.pk), _home_of(second.pk)) == (partition_name(TODAY), DEFAULT)


@pytest.mark.postgres
def test_a_check_in_on_a_day_without_a_partition_is_accepted_and_later_moved_into_its_day(venue, person):
    late = _checkin(venue, person, NOW - timedelta(days=3))  # the daily job did not run for days
    far_ahead = _checkin(venue, person, NOW + timedelta(days=20))
    assert _home_of(late.pk) == _home_of(far_ahead.pk) == DEFAULT

    created = partition_ensure(now=NOW, days_ahead=7)

    assert created == [TODAY + timedelta(days=n) for n in range(-3, 8)]
    assert _home_of(late.pk) == partition_name(TODAY - timedelta(days=3))
    assert _home_of(far_ahead.pk) == DEFAULT  # beyond the days asked for
    assert partition_ensure(now=NOW, days_ahead=7) == []  # nothing left to do


@pytest.mark.postgres
def test_ensure_never_recreates_a_day_before_the_retention_period(venue, person):
    held = _checkin(venue, person, NOW - timedelta(days=40))  # kept for an open case, in default
    partition_ensure(now=NOW, days_ahead=0)
    assert _home_of(held.pk) == DEFAULT
    assert TODAY - timedelta(days=40) not in {p.day for p in partition_list()}


@pytest.mark.postgres
def test_dropping_days_removes_their_partitions_whole_and_keeps_the_rows_asked_for(venue, person):
    other = make_person("Trần Thị B", "+84912000002")
    partition_ensure(now=NOW, days_back=3, days_ahead=0)
    for days_ago in (3, 3, 2, 1, 0):
        _checkin(venue, other, NOW - timedelta(days=days_ago))
    kept = _checkin(venue, person, NOW - timedelta(days=3))

    dropped = partition_drop_before(day=TODAY - timedelta(days=1), keep=Q(person=person))

    assert dropped.days == [TODAY - timedelta(days=3), TODAY - timedelta(days=2)]
    assert (dropped.rows_dropped, dropped.rows_kept) == (3, 1)
    assert [p.day for p in partition_list() if p.day and p.day <= TODAY] == [TODAY - timedelta(days=1), TODAY]
    # The kept row is the same row (same id and data), now in the default partition.
    assert _home_of(kept.pk) == DEFAULT
    assert CheckIn.objects.get(pk=kept.pk).person_id == person.pk
    assert CheckIn.objects.count() == 3


@pytest.mark.postgres
def test_a_tracing_query_reads_only_the_day_it_needs_through_the_venue_index(person):
    venues = [make_venue(f"Chợ {n}", code=f"Q{n:04d}") for n in range(40)]
    partition_ensure(now=NOW, days_back=1, days_ahead=1)
    start = day_bounds(TODAY - timedelta(days=1))[0]
    CheckIn.objects.bulk_create(
        CheckIn(venue=venues[m % 40], person=person, entered_at=start + timedelta(minutes=m), method="api")
        for m in range(3 * 24 * 60)
    )
    _query(f"ANALYZE {TABLE}")
    window = CheckIn.objects.filter(
        venue=venues[7], entered_at__gt=NOW - timedelta(hours=2), entered_at__lt=NOW + timedelta(hours=2)
    )

    plan = window.explain()

    assert partition_name(TODAY) in plan
    for elsewhere in (TODAY - timedelta(days=1), TODAY + timedelta(days=1)):
        assert partition_name(elsewhere) not in plan  # pruned
    assert DEFAULT not in plan
    assert "Index" in plan and "venue_id" in plan and "Seq Scan" not in plan
    assert window.count() == 4 * 60 // 40


@pytest.mark.postgres
def test_the_partitions_command_creates_the_days_ahead_and_lists_them(capsys):
    tomorrow = local_day(datetime.now(UTC)) + timedelta(days=1)
    _query(f"DROP TABLE {partition_name(tomorrow)}")

    call_command("partitions", "--days-ahead", "2")

    out = capsys.readouterr().out
    assert f"1 day partitions created: {tomorrow}" in out
    assert f"{partition_name(tomorrow)}\t{tomorrow}" in out and f"{DEFAULT}\tdefault" in out


def test_on_sqlite_check_ins_stay_one_plain_table_and_nothing_is_partitioned(on_postgres, capsys):
    if on_postgres:
        pytest.skip("SQLite only")
    assert (partition_ensure(now=NOW), partition_list()) == ([], [])
    assert partition_drop_before(day=TODAY).days == []
    call_command("partitions")
    assert "one plain table" in capsys.readouterr().out


@pytest.mark.postgres
def test_the_migration_copies_the_rows_present_and_can_be_undone(venue, person):
    from django.db.migrations.executor import MigrationExecutor

    # Forward to the latest migration, not just 0004: the model these rows are read through has the
    # columns later migrations add (0008's declared name and commune).
    partitioned, plain = (
        MigrationExecutor(connection).loader.graph.leaf_nodes("checkins"),
        [("checkins", "0003_devices_personal_codes")],
    )
    now = datetime.now(UTC)  # the migration makes partitions around the real today
    before = [_checkin(venue, person, now - timedelta(days=d)) for d in (0, 2, 400)]

    MigrationExecutor(connection).migrate(plain)
    assert _query("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE]) == [("r",)]
    assert not partition_list()
    MigrationExecutor(connection).migrate(partitioned)
    latest = MigrationExecutor(connection)  # the later migrations, so the model's columns exist again
    latest.migrate(latest.loader.graph.leaf_nodes())

    copied = {c.pk: c.entered_at for c in CheckIn.objects.all()}
    assert copied == {c.pk: c.entered_at for c in before}
    # Days of the retention period get partitions; an older row waits in the default partition for the
    # purge. The identity sequence carries on after the copied ids.
    homes = [_home_of(c.pk) for c in before]
    today = local_day(now)
    assert homes == [partition_name(today), partition_name(today - timedelta(days=2)), DEFAULT]
    assert _checkin(venue, person, now).pk > max(copied)


@pytest.mark.postgres
def test_the_bulk_generator_leaves_every_partition_indexed(person):
    from qrtrace.demo.services import checkin_bulk_insert

    venue = make_venue()
    partition_ensure(days_ahead=0)
    minute = int(datetime.now(UTC).timestamp()) // 60
    checkin_bulk_insert([(venue.pk, person.pk, minute, None)])

    indexes = _query("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass", [TABLE])
    assert _query(
        "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass AND NOT indisvalid", [TABLE]
    ) == [(0,)], indexes
    today = partition_name(local_day(datetime.now(UTC)))
    assert len(_query("SELECT 1 FROM pg_indexes WHERE tablename = %s", [today])) == len(indexes)


@pytest.mark.postgres
def test_a_receipt_is_read_from_the_partitions_since_its_earliest_entry_only(venue, person):
    from django.test.utils import CaptureQueriesContext

    from qrtrace.checkins.selectors import receipt_lines

    partition_ensure(now=NOW, days_ahead=4)
    checkin = _checkin(venue, person, NOW + timedelta(days=2))
    scanned = {}
    for since in (None, checkin.entered_at):
        with CaptureQueriesContext(connection) as queries:
            (line,) = receipt_lines(checkin_ids=[checkin.pk], since=since)
        assert line.id == checkin.pk
        plan = "\n".join(row[0] for row in _query("EXPLAIN " + queries[0]["sql"]))
        scanned[since] = {p.name for p in partition_list() if f"{p.name} " in plan}
    earlier = {partition_name(TODAY), partition_name(TODAY + timedelta(days=1))}
    assert earlier <= scanned[None]  # by id alone: every day's partition
    assert partition_name(TODAY + timedelta(days=2)) in scanned[checkin.entered_at]
    assert not earlier & scanned[checkin.entered_at]
