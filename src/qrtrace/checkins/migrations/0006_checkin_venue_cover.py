"""Replace the (venue, entered_at) index by one that also carries what tracing reads of each row it
finds (person, check-out and the id), so tracing's range scans answer from the index alone instead of
fetching a table row per check-in: that fetch was most of the F2 candidates statement's time at 10 M
rows (docs/benchmarks.md, "Tracing"). It serves every query the old one did, so the old one goes.

- SQLite: (venue_id, entered_at, person_id, left_at). Every SQLite index holds the rowid (the id).
  Django's state records this form. SQLite builds an index under its one write lock: check-ins
  wait for it (25 s for 10 M rows on the benchmark machine).
- PostgreSQL: (venue_id, entered_at) INCLUDE (id, person_id, left_at): the same search key, the other
  columns only in the leaf pages. On the day-partitioned table it is built without holding off
  check-ins: the parent's index is made ON ONLY (invalid, covering nothing), each partition's is
  built CONCURRENTLY and attached, and the parent's becomes valid once all are; day partitions made
  later get it from the parent. An interrupted run leaves invalid indexes, which the next run drops
  and builds again. A partitioned index cannot be dropped CONCURRENTLY: dropping the old one takes a
  brief exclusive lock, as 0005's drops did. 16 s in all for 10 M rows in 22 day partitions here.
  Check-outs update left_at, which another index already holds, so no update that stayed HOT
  before stops being HOT.

Reversible (the old index comes back the same way).
"""

from django.db import migrations, models

TABLE = "checkins_checkin"
OLD, NEW = "checkin_venue_entered", "checkin_venue_cover"
COLUMNS = {
    OLD: {"sqlite": "(venue_id, entered_at)", "postgresql": "(venue_id, entered_at)"},
    NEW: {
        "sqlite": "(venue_id, entered_at, person_id, left_at)",
        "postgresql": "(venue_id, entered_at) INCLUDE (id, person_id, left_at)",
    },
}


def _replace(schema_editor, build: str, drop: str) -> None:
    vendor = schema_editor.connection.vendor
    columns = COLUMNS[build][vendor]
    # CONCURRENTLY cannot run inside a transaction. `migrate` runs this migration outside one; a
    # caller that runs it inside one (a test migrating back and forth) holds its locks anyway.
    concurrently = "" if schema_editor.connection.in_atomic_block else " CONCURRENTLY"
    with schema_editor.connection.cursor() as cursor:
        if vendor != "postgresql":
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {build} ON {TABLE} {columns}")
            cursor.execute(f"DROP INDEX IF EXISTS {drop}")
            return
        if not concurrently:
            # Inside a transaction, PostgreSQL will not index a table whose deferred foreign-key
            # checks are still queued (as in 0005).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
        if cursor.fetchone() is None:  # one plain table (0004 reversed)
            _build(cursor, build, TABLE, columns, concurrently)
            cursor.execute(f"DROP INDEX{concurrently} IF EXISTS {drop}")
            return
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {build} ON ONLY {TABLE} {columns}")
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        for (partition,) in cursor.fetchall():
            index = f"{partition}_{'venue_cover' if build == NEW else 'venue_entered'}"
            _build(cursor, index, partition, columns, concurrently)
            cursor.execute(
                "SELECT 1 FROM pg_inherits WHERE inhrelid = %s::regclass AND inhparent = %s::regclass",
                [index, build],
            )
            if cursor.fetchone() is None:
                cursor.execute(f"ALTER INDEX {build} ATTACH PARTITION {index}")
        cursor.execute(f"DROP INDEX IF EXISTS {drop}")


def _build(cursor, index: str, table: str, columns: str, concurrently: str) -> None:
    """Build `index` (without blocking writes, when CONCURRENTLY); an invalid one that an interrupted
    build left behind is dropped first."""
    cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [index])
    found = cursor.fetchone()
    if found is not None and not found[0]:
        cursor.execute(f"DROP INDEX{concurrently} {index}")
    cursor.execute(f"CREATE INDEX{concurrently} IF NOT EXISTS {index} ON {table} {columns}")


def forwards(apps, schema_editor):
    _replace(schema_editor, build=NEW, drop=OLD)


def backwards(apps, schema_editor):
    _replace(schema_editor, build=OLD, drop=NEW)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("checkins", "0005_checkin_drop_prefix_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
            state_operations=[
                migrations.RemoveIndex(model_name="checkin", name=OLD),
                migrations.AddIndex(
                    model_name="checkin",
                    index=models.Index(fields=["venue", "entered_at", "person", "left_at"], name=NEW),
                ),
            ],
        )
    ]
