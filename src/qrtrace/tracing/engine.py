"""The tracing rules fed from the database with bounded range queries.

Every query is "this venue, entered_at in (lo, hi)" on the (venue, entered_at) index, or "this person,
entered_at from t" on the (person, entered_at) index, where the bounds come from
`rules.candidate_range` (a visit can only overlap if it began less than `max_stay` before). A trace
is four statements whatever its size: the case's visits, the F1 candidates, the F1s' visits and the
F2 candidates. Each sends its list of ranges as ONE parameter (SQLite: a JSON array read by
`json_each`; PostgreSQL: arrays read by `unnest`) joined to the check-ins, so the database plans one
small statement and runs one index range scan per range (docs/benchmarks.md, "Tracing", shows the
plans). The ORM is not used here: compiling an OR of hundreds of ranges and converting every
timestamp through Django cost more than the scans themselves.
"""

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
from django.db import connection

from qrtrace.checkins.models import CheckIn

from .hooks import quarantine_starts
from .rules import (
    CaseFacts,
    Rules,
    TraceResult,
    Visit,
    as_found,
    candidate_range,
    case_visit_bounds,
    earliest_exposing,
    f2_sources,
    find_contacts,
    infectious_window,
    meets_window,
)

CHECKINS = CheckIn._meta.db_table
VENUES = CheckIn._meta.get_field("venue").related_model._meta.db_table

# The ranges of one statement, as a table `r`, joined to the check-ins that meet a condition on `r`
# and `c`. The join must run range by range, each an index range scan (and, on PostgreSQL, touching
# only the day partitions that range can reach): SQLite's CROSS JOIN fixes `r` as the outer loop;
# PostgreSQL's LATERAL subquery does the same (OFFSET 0 keeps the planner from flattening it back
# into a join, which it planned, on a freshly analysed table, as a hash join over every partition,
# many times slower: docs/benchmarks.md, "Tracing"). SQLite materialises `r` first: flattened into the
# join, it read each range's bounds out of its JSON again for every check-in row tested.
RANGES = {
    "sqlite": "WITH r AS MATERIALIZED (SELECT {picks} FROM json_each(%s))",
    "postgresql": "WITH r AS (SELECT * FROM unnest({arrays}) AS r({names}))",
}
# SQLite keeps timestamps as UTC text: they are read with the offset appended, so that
# `datetime.fromisoformat` (one C call) makes them aware. PostgreSQL's come in binary (`statement_cursor`).
TIMESTAMPS = {
    "sqlite": ("c.entered_at || '+00:00'", "c.left_at || '+00:00'"),
    "postgresql": ("c.entered_at", "c.left_at"),
}
CHECKINS_WHERE = {
    "sqlite": "{table} c ON {where}",
    "postgresql": "LATERAL (SELECT * FROM {table} c WHERE {where} OFFSET 0) c",
}

# A visit can overlap the sources of a merged range only if it ends after the earliest of them
# began (`since`): through its check-out, or, without a usable one, through the venue's usual stay
# (`since_short` = since - that stay). This cheap necessary test, run beside the index scan, drops
# the many rows that began up to `max_stay` before and left long before the source arrived; the
# exact overlap test stays in `rules.find_contacts`.
CANDIDATES_SQL = (
    "{ranges} SELECT c.id, c.person_id, c.venue_id, {entered}, {left} FROM r CROSS JOIN {checkins}"
)
CANDIDATES_WHERE = (
    "c.venue_id = r.venue AND c.entered_at > r.lo AND c.entered_at < r.hi "
    "AND (c.left_at > r.since OR c.entered_at > r.since_short)"
)
# Each person's visits from `since` on, and before `until` when there is one (an F1's quarantine).
VISITS_SQL = (
    "{ranges} SELECT c.id, c.person_id, c.venue_id, {entered}, {left}, v.default_stay_minutes "
    "FROM r CROSS JOIN {checkins} JOIN {venues} v ON v.id = c.venue_id"
)
VISITS_WHERE = (
    "c.person_id = r.person AND c.entered_at >= r.since AND (r.until IS NULL OR c.entered_at < r.until)"
)
CANDIDATE_COLUMNS = (("venue", "bigint"), ("lo", "timestamptz"), ("hi", "timestamptz"))
CANDIDATE_COLUMNS += (("since", "timestamptz"), ("since_short", "timestamptz"))
VISIT_COLUMNS = (("person", "bigint"), ("since", "timestamptz"), ("until", "timestamptz"))


def trace_from_database(case: CaseFacts, rules: Rules) -> TraceResult:
    with _cyclic_gc_paused():
        return _trace(case, rules)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration. A trace makes tens of thousands of
    small objects (rows, visits, contacts) that all live until it ends and hold no reference cycles,
    so reference counting frees every one of them; but their number set the collector off dozens
    of times per trace, each pass walking every object of the process: a third of the time
    (docs/benchmarks.md, "Tracing"). Left off if something else turned it off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _trace(case: CaseFacts, rules: Rules) -> TraceResult:
    window = infectious_window(case, rules)
    lo, hi = case_visit_bounds(window, rules)
    # Both databases keep microseconds, so "before hi + 1 µs" is "at or before hi".
    until = hi + timedelta(microseconds=1)
    case_visits = tuple(v for v in visits_of([(case.person_id, lo, until)]) if meets_window(v, window, rules))
    exclude = {case.person_id}
    # F1 overlaps end with the window (the case's isolation, or now); F2 ones at now.
    f1_candidates = candidates(case_visits, rules, window[1])
    f1 = as_found(
        find_contacts(case_visits, f1_candidates, exclude=exclude, rules=rules, until=window[1]), "F1"
    )
    starts = quarantine_starts(f1)
    # Only each F1's own visits from their first exposure to their quarantine can pass it on: the
    # database returns just those, per person, instead of everyone's since the earliest exposure.
    f1_visits = visits_of([(p, since, starts.get(p)) for p, since in sorted(earliest_exposing(f1).items())])
    sources = f2_sources(f1, f1_visits, starts)
    exclude |= set(f1)
    f2_candidates = candidates(sources, rules, case.now)
    f2 = as_found(find_contacts(sources, f2_candidates, exclude=exclude, rules=rules, until=case.now), "F2")
    return TraceResult(window=window, case_visits=case_visits, f1=f1, f2=f2)


def candidates(sources: Sequence[Visit], rules: Rules, until: datetime) -> list[Visit]:
    """Every visit that may overlap a source before `until`. Candidates are at the sources' venues,
    so the sources already carry each venue's usual stay: no join to the venues."""
    if not sources:
        return []
    stays = _stays(sources)
    rows = _select(*candidates_statement(sources, rules, until))
    return [Visit(i, p, v, a, b, stays[v]) for i, p, v, a, b in rows]


def candidates_statement(sources: Sequence[Visit], rules: Rules, until: datetime) -> tuple[str, list]:
    """The text and parameters of the statement `candidates` runs (the benchmark EXPLAINs it)."""
    stays = _stays(sources)
    ranges = [
        # A merged range's lo is its earliest source's entry minus max_stay (`candidate_range`).
        (venue, lo, hi, lo + rules.max_stay, lo + rules.max_stay - stays[venue])
        for venue, lo, hi in _merged_ranges(sources, rules, until)
    ]
    return _statement(CANDIDATES_SQL, CANDIDATES_WHERE, CANDIDATE_COLUMNS, ranges)


def _stays(sources: Iterable[Visit]) -> dict[int, timedelta]:
    return {source.venue_id: source.default_stay for source in sources}


def visits_of(people: Sequence[tuple[int, datetime, datetime | None]]) -> list[Visit]:
    """(person, since, until or None) → those people's visits that began in [since, until)."""
    if not people:
        return []
    return [
        Visit(i, p, v, a, b, timedelta(minutes=stay))
        for i, p, v, a, b, stay in _select(*_statement(VISITS_SQL, VISITS_WHERE, VISIT_COLUMNS, people))
    ]


def _merged_ranges(
    sources: Iterable[Visit], rules: Rules, until: datetime
) -> list[tuple[int, datetime, datetime]]:
    """Candidate ranges per venue with overlapping ones merged (visits at one venue often touch), so
    no check-in is in two ranges and none comes back twice."""
    by_venue: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for source in sources:
        venue, lo, hi = candidate_range(source, rules, until)
        by_venue[venue].append((lo, hi))
    merged = []
    for venue, ranges in sorted(by_venue.items()):
        ranges.sort()
        lo, hi = ranges[0]
        for next_lo, next_hi in ranges[1:]:
            if next_lo < hi:
                hi = max(hi, next_hi)
            else:
                merged.append((venue, lo, hi))
                lo, hi = next_lo, next_hi
        merged.append((venue, lo, hi))
    return merged


def _statement(
    sql: str, where: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple]
) -> tuple[str, list]:
    """`sql` with `rows` as the table `r` of these (name, PostgreSQL type) columns, joined to the
    check-ins `c` that meet `where`: its text and parameters.

    Django's adaptation of each parameter is bypassed: it cost more than the index scans."""
    names = [name for name, _type in columns]
    vendor = connection.vendor
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
        ranges = RANGES[vendor].format(arrays=arrays, names=", ".join(names))
        params = [list(column) for column in zip(*rows, strict=True)]
    else:
        picks = ", ".join(f"value ->> {i} AS {name}" for i, name in enumerate(names))
        ranges = RANGES[vendor].format(picks=picks)
        text = [[_sqlite_text(x) if isinstance(x, datetime) else x for x in row] for row in rows]
        params = [json.dumps(text)]
    entered, left = TIMESTAMPS[vendor]
    checkins = CHECKINS_WHERE[vendor].format(table=CHECKINS, where=where)
    return sql.format(entered=entered, left=left, ranges=ranges, checkins=checkins, venues=VENUES), params


def _select(query: str, params: list) -> list[tuple]:
    """The rows of a `_statement`, with timestamps as aware datetimes in UTC (Django's converters,
    a regex per value on both databases, are bypassed too)."""
    with statement_cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return rows
    parse = datetime.fromisoformat
    return [(i, p, v, parse(a), b and parse(b), *rest) for i, p, v, a, b, *rest in rows]


def _sqlite_text(moment: datetime) -> str:
    """A timestamp as Django stores it on SQLite (naive UTC, `str()`), so text comparisons hold."""
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def statement_cursor():
    """The cursor the engine's statements run on. On PostgreSQL, one that binds parameters on the
    server and returns binary rows, wrapped as Django wraps its own (query log, execute wrappers,
    error translation): Django's cursors bind on the client, writing a statement's ~2,000 range
    timestamps into its text one by one, and return each timestamp as text to parse; psycopg sends
    and reads both in binary, in C."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    cursor.format = psycopg.pq.Format.BINARY
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return wrap(cursor)
