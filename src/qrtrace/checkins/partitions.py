"""Daily partitions of the check-in table on PostgreSQL (migration 0004 builds the layout).

A province keeps 100–200 M check-ins; retention then drops whole days in one statement each instead
of deleting millions of rows, and a tracing query ("this venue, these hours") reads one or two days.

Days are local days in settings.TIME_ZONE (Asia/Ho_Chi_Minh, UTC+7, no daylight saving): the
partition of 25 November holds the check-ins from 00:00 to 24:00 Vietnam time, the calendar officials
and the 21-day rule use. A DEFAULT partition takes any row no day partition accepts, so an insert never
fails for want of a partition; `partition_ensure` (run daily by `qrtrace purge` and `qrtrace
partitions`) creates the days ahead and moves such strays into their day's partition.

SQLite keeps one plain table: every function here is then a no-op.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import CheckIn

TABLE = CheckIn._meta.db_table
DEFAULT = f"{TABLE}_default"
# Detaching a day locks the whole table; if a long report holds it, give up rather than queue every
# check-in behind us (the next run drops the day instead).
LOCK_TIMEOUT = "10s"


@dataclass(frozen=True)
class Dropped:
    days: list[date] = field(default_factory=list)
    rows_dropped: int = 0
    rows_kept: int = 0  # matched `keep`: moved to the default partition before their day went


@dataclass(frozen=True)
class Partition:
    name: str
    day: date | None  # None for the default partition
    bytes: int


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=zone)


def partition_name(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
        return cursor.fetchone() is not None


def partition_list() -> list[Partition]:
    """The day partitions, oldest first, then the default partition."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        rows = cursor.fetchall()
    days = [Partition(name, _day_of(name), size) for name, size in rows if name != DEFAULT]
    return days + [Partition(name, None, size) for name, size in rows if name == DEFAULT]


def _day_of(name: str) -> date:
    return datetime.strptime(name.removeprefix(f"{TABLE}_p"), "%Y%m%d").date()


@transaction.atomic
def partition_ensure(*, days_ahead: int = 7, days_back: int = 0, now: datetime | None = None) -> list[date]:
    """Create the missing day partitions from `days_back` days before today to `days_ahead` after,
    and for any earlier day still inside the retention period that has rows in the default partition
    (the job did not run for a while); returns the days created. Rows of those days waiting in the
    default partition move into them. Days before the retention period are left alone: the default
    partition keeps the rows held for open cases there, and those must not come back into a day
    that retention then drops."""
    if not is_partitioned():
        return []
    today = local_day(now or timezone.now())
    first = today - timedelta(days=days_back)
    retention_start, _ = day_bounds(today - timedelta(days=settings.QRTRACE_RETENTION_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(entered_at) FROM {DEFAULT} WHERE entered_at >= %s", [retention_start])  # noqa: S608
        (stray,) = cursor.fetchone()
        if stray is not None:
            first = min(first, local_day(stray))
        existing = {p.day for p in partition_list()}
        wanted = [first + timedelta(days=n) for n in range((today - first).days + days_ahead + 1)]
        created = [day for day in wanted if day not in existing]
        for day in created:
            create_day_partition(cursor, day)
    return created


def create_day_partition(cursor, day: date) -> None:
    """Build the day's table beside the partitioned one, move the day's rows out of the default
    partition into it, then attach it (PostgreSQL refuses a new partition whose rows sit in default)."""
    name, (start, end) = partition_name(day), day_bounds(day)
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE entered_at >= %s AND entered_at < %s RETURNING *) "  # noqa: S608
        f"INSERT INTO {name} SELECT * FROM moved",
        [start, end],
    )
    # DDL takes no parameters (with server-side binding they would not be filled in): the bounds are
    # written out, datetimes computed here, never anything sent from outside.
    bounds = f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")


def partition_drop_before(*, day: date, keep: Q | None = None) -> Dropped:
    """Drop every day partition before `day`, whole: no row-by-row delete, no dead rows to vacuum.
    Rows matching `keep` (e.g. those an open case still needs) move to the default partition first
    and stay there until deleted one by one. One transaction per day, so the table lock each drop
    takes is held only for that day."""
    if not is_partitioned():
        return Dropped()
    days = [p.day for p in partition_list() if p.day is not None and p.day < day]
    dropped = kept = 0
    for old in days:
        with transaction.atomic():
            rows, held = _drop_day(old, keep)
        dropped, kept = dropped + rows, kept + held
    return Dropped(days=days, rows_dropped=dropped - kept, rows_kept=kept)


def _drop_day(day: date, keep: Q | None) -> tuple[int, int]:
    """Drop one day's partition; returns (rows it held, rows kept in the default partition)."""
    name, (start, end) = partition_name(day), day_bounds(day)
    fields = CheckIn._meta.concrete_fields
    columns = ", ".join(f.column for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        # Rows written earlier in the same transaction still have their deferred foreign-key checks
        # queued, and PostgreSQL will not drop a table with checks pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # A late gate sync may still write into the day: hold writes off so the counts are exact.
        cursor.execute(f"LOCK TABLE {name} IN SHARE MODE")
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 - our own table name
        (rows,) = cursor.fetchone()
        if keep is None:
            cursor.execute(f"DROP TABLE {name}")
            return rows, 0
        held = CheckIn.objects.filter(keep, entered_at__gte=start, entered_at__lt=end).order_by()
        sql, params = held.values_list(*(f.attname for f in fields)).query.sql_with_params()
        cursor.execute(f"CREATE TEMPORARY TABLE checkin_held ON COMMIT DROP AS {sql}", params)
        cursor.execute(f"DROP TABLE {name}")
        # The day is gone from the table, so these rows now land in the default partition.
        cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM checkin_held")  # noqa: S608
        kept = cursor.rowcount
        cursor.execute("DROP TABLE checkin_held")
    return rows, kept
