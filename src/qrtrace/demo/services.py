"""Synthetic, reproducible data for one province: venues, people and their check-ins.

Everything is derived from a seed, so a second run finds the same venues and people and adds nothing
(the command is idempotent). A realistic province history has tens of millions of check-ins and the
benchmarks build theirs with this generator, so check-ins bypass the ORM: rows are plain tuples of
the few columns that vary, written with one prepared `executemany` per batch on SQLite and `COPY` on
PostgreSQL, each batch one transaction (bench/generator.py measures the rate; docs/benchmarks.md).
"""

import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.partitions import partition_ensure
from qrtrace.geo.models import Commune
from qrtrace.lib.signing import ALPHABET
from qrtrace.people.models import Person
from qrtrace.people.selectors import phone_hash
from qrtrace.venues.models import DEFAULT_STAY_MINUTES, Venue, VenueKind, VenueStatus

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Lương", "Trịnh"]
# Middle and given names by sex, so that no one is called "Nguyễn Thị Hùng".
NAMES_BY_SEX = (
    (
        ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Xuân"],
        ["Bình", "Cường", "Dũng", "Hải", "Hùng", "Nam", "Sơn", "Thắng", "Tuấn", "Việt"],
    ),
    (
        ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo"],
        ["Anh", "Dung", "Giang", "Hà", "Hoa", "Lan", "Linh", "Mai", "Nga", "Thảo"],
    ),
)
STREETS = ["Lê Lợi", "Trần Phú", "Bà Triệu", "Quang Trung", "Lê Hoàn", "Nguyễn Trãi", "Phan Chu Trinh"]
VENUE_NAMES = {
    VenueKind.MARKET: "Chợ {}",
    VenueKind.SHOP: "Cửa hàng tạp hoá {}",
    VenueKind.RESTAURANT: "Quán phở {}",
    VenueKind.SCHOOL: "Trường THCS {}",
    VenueKind.HOSPITAL: "Trạm Y tế {}",
    VenueKind.AGENCY: "UBND {}",
    VenueKind.SHOP.value + "2": "Siêu thị mini {}",
}
VISITS_PER_PERSON_PER_DAY = 2.0
# People go out in local daytime (06:00–21:00), whatever the server's time zone, and only while the
# place is open: its opening hours by kind (local minutes of the day; None: open day and night).
OPENING_MINUTE, CLOSING_MINUTE = 6 * 60, 21 * 60
HOURS = {
    VenueKind.MARKET: (5 * 60, 18 * 60),
    VenueKind.SHOP: (7 * 60, 21 * 60 + 30),
    VenueKind.RESTAURANT: (6 * 60, 22 * 60),
    VenueKind.SCHOOL: (7 * 60, 17 * 60),
    VenueKind.HOSPITAL: None,
    VenueKind.AGENCY: (7 * 60, 17 * 60),
}
TRAVEL_MINUTES = 10  # between one visit's end and the next one's start: no one is in two places at once
BATCH = 50_000  # rows per transaction: one fsync per batch, and a bounded amount of memory
SQL_CHUNK = 5_000  # ids per IN (…) query, far below SQLite's limit on bound parameters


@dataclass(frozen=True)
class DemoSize:
    communes: int = 20
    venues_per_commune: int = 10
    people: int = 2_000
    days: int = 14


# One generated visit: (venue id, person id, entered minute, left minute or None), minutes since epoch.
Row = tuple[int, int, int, int | None]


def demo_venues(*, province_code: int, size: DemoSize, rng: random.Random) -> list[Venue]:
    communes = list(Commune.objects.filter(province_id=province_code).order_by("code")[: size.communes])
    wanted = []
    for commune in communes:
        # Coordinates for the map, from a generator of their own so the rest of the data stays as it was.
        spot = random.Random(commune.code)
        centre = (spot.uniform(19.3, 20.6), spot.uniform(104.5, 106.0))  # within Thanh Hóa
        for i in range(size.venues_per_commune):
            template_key = rng.choice(list(VENUE_NAMES))
            kind = VenueKind(template_key[:-1] if template_key.endswith("2") else template_key)
            hours = HOURS[kind]
            wanted.append(
                Venue(
                    code="D" + "".join(rng.choice(ALPHABET) for _ in range(6)),
                    name=VENUE_NAMES[template_key].format(f"{commune.name} {i + 1}"),
                    kind=kind,
                    # The street only: pages add the commune's name themselves.
                    address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}",
                    commune=commune,
                    lat=Decimal(f"{centre[0] + spot.uniform(-0.02, 0.02):.6f}"),
                    lng=Decimal(f"{centre[1] + spot.uniform(-0.02, 0.02):.6f}"),
                    default_stay_minutes=DEFAULT_STAY_MINUTES[kind],
                    status=VenueStatus.ACTIVE,
                    qr_issued_at=timezone.now(),
                    always_open=hours is None,
                    opens_at=None if hours is None else time(*divmod(hours[0], 60)),
                    closes_at=None if hours is None else time(*divmod(hours[1], 60)),
                )
            )
    codes = [v.code for v in wanted]
    existing = {v.code for v in _in_chunks(Venue.objects.all(), "code", codes)}
    Venue.objects.bulk_create([v for v in wanted if v.code not in existing], batch_size=1000)
    return sorted(_in_chunks(Venue.objects.all(), "code", codes), key=lambda v: v.code)


def demo_people(*, province_code: int, size: DemoSize, rng: random.Random) -> list[Person]:
    communes = list(
        Commune.objects.filter(province_id=province_code).order_by("code").values_list("code", flat=True)
    )[: size.communes]
    wanted = {}
    for i in range(size.people):
        phone = f"+8490{i:07d}"
        middle_names, given_names = NAMES_BY_SEX[i % 2]
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(middle_names)} {rng.choice(given_names)}"
        wanted[phone_hash(phone)] = (phone, name, rng.randint(1945, 2018), rng.choice(communes))
    people = Person.objects.only("pk", "commune_id", "phone_hash")
    existing = {p.phone_hash for p in _in_chunks(people, "phone_hash", list(wanted))}
    Person.objects.bulk_create(
        (
            Person(full_name=name, phone=phone, phone_hash=h, birth_year=born, commune_id=commune)
            for h, (phone, name, born, commune) in wanted.items()
            if h not in existing
        ),
        batch_size=1000,
    )
    return sorted(_in_chunks(people, "phone_hash", list(wanted)), key=lambda p: p.pk)


def _in_chunks(queryset, field: str, values: list) -> Iterator:
    for start in range(0, len(values), SQL_CHUNK):
        yield from queryset.filter(**{f"{field}__in": values[start : start + SQL_CHUNK]})


def demo_visits(
    *, venues: list[Venue], people: list[Person], days: int, end: datetime, rng: random.Random
) -> Iterator[Row]:
    """Visits over the `days` before `end`: mostly in the person's own commune, in local daytime,
    while the venue is open, one after another (each person's day is a sequence, never two places at
    once).

    Written for speed (it feeds tens of millions of rows): times are whole minutes, and each visit
    costs a handful of `rng.random()` calls instead of `randint`/`choice`/`timedelta` arithmetic.
    """
    # (venue id, usual stay, first and last minute of the day a visit may start there)
    Place = tuple[int, int, int, int]
    local_venues: dict[int, list[Place]] = {}
    everywhere: list[Place] = []
    for venue in venues:
        hours = HOURS.get(venue.kind)
        opens, closes = (OPENING_MINUTE, CLOSING_MINUTE) if hours is None else hours
        opens, closes = max(opens, OPENING_MINUTE), min(closes, CLOSING_MINUTE)
        place = (venue.pk, venue.default_stay_minutes, opens, closes)
        everywhere.append(place)
        local_venues.setdefault(venue.commune_id, []).append(place)
    end_minute = int(end.timestamp()) // 60
    first_day = timezone.localtime(end).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=days
    )
    random_, gauss, poisson = rng.random, rng.gauss, _poisson_sampler(rng, VISITS_PER_PERSON_PER_DAY)
    for day in range(days):
        midnight = int((first_day + timedelta(days=day)).timestamp()) // 60
        for person in people:
            local = local_venues.get(person.commune_id) or everywhere
            outings = []
            for _ in range(poisson()):
                choices = local if random_() < 0.85 else everywhere
                venue_id, usual_stay, opens, closes = choices[int(random_() * len(choices))]
                outings.append((opens + int(random_() * (closes - opens)), venue_id, usual_stay, closes))
            outings.sort()
            free_from = 0  # minute of the day this person is free again
            for start, venue_id, usual_stay, closes in outings:
                start = max(start, free_from)
                entered = midnight + start
                if start >= closes or entered >= end_minute:
                    break  # later outings of the day would start later still
                stay = max(5, int(gauss(usual_stay, 20)))
                left = entered + stay
                # About one visitor in four never checks out: the venue's usual stay fills the gap, and
                # the person is busy until then either way.
                checked_out = random_() >= 0.25 and left <= end_minute
                free_from = start + max(stay, usual_stay if not checked_out else 0) + TRAVEL_MINUTES
                yield venue_id, person.pk, entered, (left if checked_out else None)


def _poisson_sampler(rng: random.Random, mean: float) -> Callable[[], int]:
    """Knuth's method with the threshold computed once; plenty for a mean of two."""
    limit, random_ = pow(2.718281828459045, -mean), rng.random

    def sample() -> int:
        k, p = 0, random_()
        while p > limit:
            k, p = k + 1, p * random_()
        return k

    return sample


@transaction.atomic
def demo_generate(
    *, province_code: int, size: DemoSize, seed: int = 38, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Create the demo province; returns counts of rows created. A second run creates nothing.

    One transaction: a run that fails half-way leaves nothing behind, so the next run starts over
    instead of finding the people and skipping their history.
    """
    rng = random.Random(seed)
    population = demo_population(province_code=province_code, size=size, rng=rng)
    checkins = 0
    if population.created_people:
        # Check-ins only for a fresh population, so re-running never doubles anyone's history.
        checkins = demo_history(population=population, days=size.days, rng=rng, progress=progress)
    return {"venues": population.created_venues, "people": population.created_people, "checkins": checkins}


@dataclass(frozen=True)
class Population:
    venues: list[Venue]
    people: list[Person]
    created_venues: int
    created_people: int


@transaction.atomic
def demo_population(*, province_code: int, size: DemoSize, rng: random.Random) -> Population:
    before_venues, before_people = Venue.objects.count(), Person.objects.count()
    venues = demo_venues(province_code=province_code, size=size, rng=rng)
    people = demo_people(province_code=province_code, size=size, rng=rng)
    return Population(
        venues, people, Venue.objects.count() - before_venues, Person.objects.count() - before_people
    )


def demo_history(
    *, population: Population, days: int, rng: random.Random, progress: Callable[[int], None] | None = None
) -> int:
    """Check-ins of `population` over the `days` up to now; returns how many were inserted."""
    end = timezone.now()
    # On PostgreSQL each day needs its partition before the load, or the rows pile up in the default
    # partition, which every tracing query then has to read too.
    partition_ensure(days_back=days, now=end)
    visits = demo_visits(venues=population.venues, people=population.people, days=days, end=end, rng=rng)
    return checkin_bulk_insert(visits, progress=progress)


@transaction.atomic
def checkin_bulk_insert(
    rows: Iterable[Row], *, batch: int = BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Insert generated visits as self-scanned check-ins with an empty declaration, in one
    transaction; returns how many. Only for generated data: no validation, no audit, no signals.

    Into an empty table the secondary indexes are dropped first and built again at the end: one
    sorted build is several times faster than keeping seven B-trees up to date row by row.
    """
    write = _copy_batch if connection.vendor == "postgresql" else _executemany_batch
    clock = _MinuteClock(connection.vendor)
    rows, total = iter(rows), 0
    with _indexes_rebuilt_after() if not CheckIn.objects.exists() else nullcontext():
        while chunk := list(islice(rows, batch)):
            write(chunk, clock)
            total += len(chunk)
            if progress:
                progress(len(chunk))
    return total


@contextmanager
def _indexes_rebuilt_after() -> Iterator[None]:
    """Drop the check-in table's secondary indexes (and, on PostgreSQL, its foreign keys, whose
    per-row checks would queue millions of deferred trigger events) and recreate them on exit.
    Foreign keys come back validated in one pass over the table."""
    table, quote = CheckIn._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        indexes, foreign_keys = _secondary_indexes(cursor, table), _foreign_keys(cursor, table)
        if foreign_keys:
            # PostgreSQL refuses to alter tables with checks still queued (the venues and people
            # just created): run them now, and defer again once the keys are back.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    with _sort_memory(mebibytes=512):
        yield
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                # A partitioned table lists its indexes "ON ONLY" the parent; built like that they would
                # cover no partition at all.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            if foreign_keys:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                # Autovacuum would gather the planner's statistics some minutes later; the first
                # queries on a fresh history should not be planned blind.
                cursor.execute(f"ANALYZE {quote(table)}")


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each non-unique index."""
    if connection.vendor == "postgresql":
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef NOT LIKE %s"
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql NOT LIKE %s"
    cursor.execute(sql, [table, "CREATE UNIQUE %"])
    return cursor.fetchall()


def _foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of each foreign key on PostgreSQL; SQLite checks them cheaply per row."""
    if connection.vendor != "postgresql":
        return []
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'",
        [connection.ops.quote_name(table)],
    )
    return cursor.fetchall()


@contextmanager
def _sort_memory(*, mebibytes: int) -> Iterator[None]:
    """More memory for building indexes on this connection: SQLite sorts in its page cache (default
    2 MiB), PostgreSQL in maintenance_work_mem (default 64 MB); either makes the builds spill to disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SET LOCAL ends with the transaction checkin_bulk_insert runs in.
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{mebibytes}MB'")
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-1024 * mebibytes}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


# Columns that vary; every other column takes its model default (a self-scan, nothing declared), so
# a column added to CheckIn later is filled here without anyone remembering this module.
_VARYING = ("venue_id", "person_id", "entered_at", "left_at", "created_at")


def _fixed_columns() -> dict[str, object]:
    fixed = {
        field.column: field.get_default()
        for field in CheckIn._meta.concrete_fields
        if not field.primary_key and field.column not in _VARYING
    }
    return fixed | {"method": "self_scan"}


class _MinuteClock:
    """Minutes since the epoch → the database's text form of that UTC instant, memoised: a history
    has a few tens of thousands of distinct minutes and millions of rows."""

    def __init__(self, vendor: str) -> None:
        self.suffix = "+00" if vendor == "postgresql" else ""
        self.cache: dict[int, str] = {}

    def __call__(self, minute: int) -> str:
        text = self.cache.get(minute)
        if text is None:
            moment = datetime.fromtimestamp(minute * 60, tz=UTC).replace(tzinfo=None)
            text = self.cache[minute] = f"{moment:%Y-%m-%d %H:%M:%S}{self.suffix}"
        return text


def _executemany_batch(chunk: list[Row], clock: _MinuteClock) -> None:
    fixed = _fixed_columns()
    literals = ", ".join(
        "NULL" if v is None else str(int(v)) if isinstance(v, bool) else _quoted(v) for v in fixed.values()
    )
    sql = (
        f"INSERT INTO {CheckIn._meta.db_table} ({', '.join((*_VARYING, *fixed))}) "  # noqa: S608 - names are ours
        f"VALUES (?, ?, ?, ?, ?, {literals})"
    )
    connection.ensure_connection()
    connection.connection.executemany(
        sql,
        (
            (venue, person, clock(entered), None if left is None else clock(left), clock(entered))
            for venue, person, entered, left in chunk
        ),
    )


def _quoted(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _copy_batch(chunk: list[Row], clock: _MinuteClock) -> None:
    fixed = _fixed_columns()
    null = "\\N"
    tail = "\t".join(
        null if v is None else "t" if v is True else "f" if v is False else str(v) for v in fixed.values()
    )
    text = "".join(
        f"{venue}\t{person}\t{since}\t{null if left is None else clock(left)}\t{since}\t{tail}\n"
        for venue, person, since, left in ((v, p, clock(e), left) for v, p, e, left in chunk)
    )
    columns = ", ".join((*_VARYING, *fixed))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {CheckIn._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write(text.encode())
