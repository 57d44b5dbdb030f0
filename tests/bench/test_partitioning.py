"""The check-in table stays ready for the province layout (docs/scaling.md): partitioned by day on
PostgreSQL, retention by dropping partitions, tracing as a short index range scan in few partitions."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from qrtrace.checkins.models import CheckIn
from qrtrace.demo.services import checkin_bulk_insert
from tests.actors import make_person, make_venue

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 11, 20, tzinfo=UTC)


def test_no_table_holds_a_foreign_key_to_check_ins():
    """A foreign key into check-ins would forbid dropping a day's partition and sharding by venue."""
    referencing = [
        f"{model._meta.label}.{field.name}"
        for model in connection.introspection.installed_models(connection.introspection.table_names())
        for field in model._meta.concrete_fields
        if field.remote_field and field.remote_field.model is CheckIn
    ]
    assert referencing == []


def test_check_ins_are_indexed_on_venue_then_time_for_tracing():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, CheckIn._meta.db_table)
    # Led by (venue, entered_at); it may carry more columns (tracing reads person and check-out from it).
    assert ["venue_id", "entered_at"] in [c["columns"][:2] for c in constraints.values() if c["index"]]


@pytest.mark.postgres
def test_the_check_in_table_partitions_by_day_and_tracing_reads_only_the_days_it_needs():
    """Build the partitioned layout from the live table's definition (the table a production migration
    would create), fill three days, and ask PostgreSQL for the tracing query's plan."""
    table = CheckIn._meta.db_table
    venues = [make_venue(f"Chợ {n}", code=f"P{n:04d}").pk for n in range(50)]
    person = make_person().pk
    first_minute = int(DAY.timestamp()) // 60
    checkin_bulk_insert((venues[m % 50], person, first_minute + m, None) for m in range(4000))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE checkin_by_day (LIKE {table} INCLUDING DEFAULTS) PARTITION BY RANGE (entered_at)"
        )
        cursor.execute("ALTER TABLE checkin_by_day ADD PRIMARY KEY (id, entered_at)")
        cursor.execute("CREATE INDEX ON checkin_by_day (venue_id, entered_at)")
        for n in range(3):
            start = DAY + timedelta(days=n)
            bounds = f"FROM ('{start.isoformat()}') TO ('{(start + timedelta(days=1)).isoformat()}')"
            cursor.execute(f"CREATE TABLE checkin_day_{n} PARTITION OF checkin_by_day FOR VALUES {bounds}")
        # Rows made by the app's own writer, so every column the model has today is filled.
        cursor.execute(f"INSERT INTO checkin_by_day SELECT * FROM {table}")  # noqa: S608 - our table name
        cursor.execute("ANALYZE checkin_by_day")
        cursor.execute(
            "EXPLAIN SELECT id, person_id FROM checkin_by_day WHERE venue_id = %s "
            "AND entered_at > %s AND entered_at < %s",
            [venues[7], DAY + timedelta(hours=30), DAY + timedelta(hours=31)],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DROP TABLE checkin_day_0")  # retention: a day goes in one statement
        cursor.execute(
            "SELECT count(*), min(entered_at) >= %s FROM checkin_by_day", [DAY + timedelta(days=1)]
        )
        remaining, only_later_days = cursor.fetchone()
    assert "checkin_day_1" in plan
    assert "checkin_day_0" not in plan and "checkin_day_2" not in plan  # pruned
    assert "Index" in plan and "venue_id" in plan
    assert only_later_days and remaining == 4000 - 24 * 60
