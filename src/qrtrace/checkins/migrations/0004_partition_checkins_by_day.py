"""On PostgreSQL, rebuild checkins_checkin as a table partitioned by day (qrtrace/checkins/partitions.py).

The primary key becomes (id, entered_at): PostgreSQL requires a partitioned table's unique keys to hold
the partition key. Django still finds rows by id alone, which the identity sequence keeps unique. No
table has a foreign key to check-ins (partitions.py would not be able to drop a day if one did). Rows
present now are copied; every index and foreign key is recreated with its old name and definition, so
later migrations find them. SQLite keeps its plain table. Reversible.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TABLE = "checkins_checkin"
DAYS_AHEAD = 7


def _definitions(cursor, table):
    """The table's secondary indexes and foreign keys, as SQL to recreate them after a rebuild."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef, x.indisunique FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.tablename = %s AND NOT x.indisprimary",
        [table],
    )
    indexes = cursor.fetchall()
    unique = [name for name, _definition, is_unique in indexes if is_unique]
    if unique:
        # A unique index on a partitioned table must contain entered_at, which would change what it
        # guarantees: such an invariant needs its own table, not a silent change here.
        raise RuntimeError(f"{table} has unique indexes a day-partitioned table cannot keep: {unique}")
    # A partitioned table's index reads "ON ONLY table" (this level alone); the rebuilt one needs all.
    statements = [definition.replace(" ON ONLY ", " ON ", 1) for _name, definition, _u in indexes]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'",
        [table],
    )
    statements += [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for name, definition in cursor]
    return statements


def _rebuild(cursor, *, by_day):
    from qrtrace.checkins.partitions import DEFAULT, create_day_partition, local_day

    # Rows written earlier in this transaction may still have deferred foreign-key checks queued;
    # PostgreSQL will not drop or rename a table with checks pending, so run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    recreate = _definitions(cursor, TABLE)
    old = f"{TABLE}_before_rebuild"
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
    layout = " PARTITION BY RANGE (entered_at)" if by_day else ""
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE){layout}"
    )
    if by_day:
        # Days from the start of the retention period to a week ahead; any older (or future) row goes
        # to the default partition, where the next purge finds it.
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        today = local_day(timezone.now())
        for n in range(-settings.QRTRACE_RETENTION_DAYS, DAYS_AHEAD + 1):
            create_day_partition(cursor, today + timedelta(days=n))
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {old}")
    cursor.execute(f"DROP TABLE {old}")
    # The new identity sequence got a suffixed name beside the old one; give it the usual name back
    # and carry on after the highest id, so ids stay unique (the primary key alone no longer says so).
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
    cursor.execute(f"SELECT setval('{TABLE}_id_seq', coalesce(max(id), 0) + 1, false) FROM {TABLE}")
    key = "id, entered_at" if by_day else "id"
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    for statement in recreate:
        cursor.execute(statement)


def partition_by_day(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, by_day=True)


def one_plain_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, by_day=False)


class Migration(migrations.Migration):
    dependencies = [("checkins", "0003_devices_personal_codes")]

    operations = [migrations.RunPython(partition_by_day, one_plain_table, elidable=False)]
