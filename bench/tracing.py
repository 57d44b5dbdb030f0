"""Tracing on the generated history: F1+F2 for random cases with the production engine (p50/p95,
goal p95 < 200 ms), and the F1 step side by side with DuckDB reading the same rows (ratio)."""

import csv
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from bench.harness import Context, Figure, percentile
from qrtrace.checkins.models import CheckIn
from qrtrace.tracing.engine import (
    candidates,
    candidates_statement,
    statement_cursor,
    trace_from_database,
    visits_of,
)
from qrtrace.tracing.rules import (
    CaseFacts,
    Rules,
    Visit,
    candidate_range,
    case_visit_bounds,
    find_contacts,
    infectious_window,
    meets_window,
)

GOAL_P95_MS = 200
RECENT_DAYS = 3
COLUMNS = ("id", "person_id", "venue_id", "entered_at", "left_at", "stay")
# Two statements a tracer runs for F1: the case's visits, then every visit that may overlap them.
Fetch = Callable[[int, datetime, datetime], list[Visit]]
FetchCandidates = Callable[[Sequence[Visit], datetime], list[Visit]]


def run(ctx: Context) -> list[Figure]:
    rules = Rules.from_settings()
    if connection.vendor == "postgresql":
        # The candidates are read from the covering index alone only where the visibility map marks
        # a page all-visible, which autovacuum does for past days in a running system. A history
        # just generated (or on a server with autovacuum off) has no such page yet: vacuum it now.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {CheckIn._meta.db_table}")
    cases = _random_cases(ctx.size.cases, rules)
    trace_from_database(cases[0], rules)  # warm the page cache the way a working server's is warm
    engine_ms, f1_sizes, f2_sizes = [], [], []
    for case in cases:
        started = time.perf_counter()
        result = trace_from_database(case, rules)
        engine_ms.append((time.perf_counter() - started) * 1000)
        f1_sizes.append(len(result.f1))
        f2_sizes.append(len(result.f2))

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        duck = _duckdb_copy(Path(tmp) / "visits.csv")
        load_s = time.perf_counter() - started
        ours_ms, duck_ms = [], []
        for case in cases:
            ours, ours_took = _timed_f1(case, rules, *_engine_fetchers(rules))
            confirmed = _naive(case.confirmed_at)
            naive = CaseFacts(case.person_id, confirmed, isolated_at=confirmed, now=_naive(case.now))
            theirs, duck_took = _timed_f1(naive, rules, *_duck_fetchers(duck, rules))
            if set(ours) != set(theirs):
                raise AssertionError(f"F1 of person {case.person_id} differs between the database and DuckDB")
            ours_ms.append(ours_took)
            duck_ms.append(duck_took)
    ctx.notes.append(_explain(cases[0], rules))
    p50, p95 = percentile(engine_ms, 50), percentile(engine_ms, 95)
    ratio = percentile(duck_ms, 50) / percentile(ours_ms, 50)
    return [
        Figure(
            "tracing",
            f"F1+F2 per case, p50 ({len(cases)} cases)",
            p50,
            "ms",
            note=f"F1 median {percentile(f1_sizes, 50):.0f} people, F2 median {percentile(f2_sizes, 50):.0f}",
        ),
        Figure(
            "tracing",
            "F1+F2 per case, p95",
            p95,
            "ms",
            f"< {GOAL_P95_MS}",
            p95 < GOAL_P95_MS,
            f"max {max(engine_ms):.0f} ms, {ctx.facts.get('checkins', 0):,} check-ins in the table",
        ),
        Figure(
            "tracing",
            "F1+F2 time per 1,000 people listed, median",
            percentile(
                [
                    ms * 1000 / max(1, f1 + f2)
                    for ms, f1, f2 in zip(engine_ms, f1_sizes, f2_sizes, strict=True)
                ],
                50,
            ),
            "ms",
            note="the cost of one list whatever the population's density: compare it across sizes",
        ),
        Figure(
            "tracing",
            f"F1 query, {connection.vendor}, p50",
            percentile(ours_ms, 50),
            "ms",
            note=f"p95 {percentile(ours_ms, 95):.1f} ms",
        ),
        Figure(
            "tracing",
            "F1 query, DuckDB, p50",
            percentile(duck_ms, 50),
            "ms",
            note=f"p95 {percentile(duck_ms, 95):.1f} ms; export + load {load_s:.0f} s, in memory",
        ),
        Figure(
            "tracing",
            f"DuckDB ÷ {connection.vendor} (F1, p50)",
            ratio,
            "×",
            "> 1",
            ratio > 1,
            "same rows; the engine's statements vs a plain OR of ranges; identical F1 lists checked",
        ),
    ]


def _random_cases(count: int, rules: Rules) -> list[CaseFacts]:
    """People picked through random check-ins of the history's last RECENT_DAYS, confirmed a day
    after that visit (or now): the CDC traces a case when it is confirmed, not weeks later. (An old
    case's F1s keep visiting places until today, and with no quarantine orders in a generated
    history every one of those visits would seed F2s, inflating the list and the time.)"""
    rng, now = random.Random(7), timezone.now()
    latest = CheckIn.objects.aggregate(Max("entered_at"))["entered_at__max"]
    ids = CheckIn.objects.filter(entered_at__gte=latest - timedelta(days=RECENT_DAYS)).aggregate(
        Min("id"), Max("id")
    )
    cases: dict[int, CaseFacts] = {}
    while len(cases) < count:
        visit = (
            CheckIn.objects.filter(id__gte=rng.randint(ids["id__min"], ids["id__max"])).order_by("id").first()
        )
        confirmed = min(visit.entered_at + timedelta(days=1), now)
        # Isolated when confirmed: the window every case of the benchmark has had since it was written.
        cases[visit.person_id] = CaseFacts(visit.person_id, confirmed, isolated_at=confirmed, now=now)
    return list(cases.values())


def _timed_f1(
    case: CaseFacts, rules: Rules, fetch: Fetch, fetch_candidates: FetchCandidates
) -> tuple[set, float]:
    started = time.perf_counter()
    window = infectious_window(case, rules)
    lo, hi = case_visit_bounds(window, rules)
    visits = [v for v in fetch(case.person_id, lo, hi) if meets_window(v, window, rules)]
    found = fetch_candidates(visits, window[1])
    f1 = find_contacts(visits, found, exclude={case.person_id}, rules=rules, until=window[1])
    return set(f1), (time.perf_counter() - started) * 1000


def _naive(moment: datetime) -> datetime:
    """DuckDB's timestamps are naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _visits(rows) -> list[Visit]:
    return [Visit(i, p, v, a, b, timedelta(minutes=stay)) for i, p, v, a, b, stay in rows]


def _engine_fetchers(rules: Rules) -> tuple[Fetch, FetchCandidates]:
    """The production engine's own statements (`qrtrace.tracing.engine`)."""

    def person(person: int, lo: datetime, hi: datetime) -> list[Visit]:
        return visits_of([(person, lo, hi + timedelta(microseconds=1))])

    return person, lambda sources, until: candidates(sources, rules, until)


def _duck_fetchers(duck: duckdb.DuckDBPyConnection, rules: Rules) -> tuple[Fetch, FetchCandidates]:
    """The plain statements: the case's visits, then an OR of each visit's candidate range."""
    select = f"SELECT {', '.join(COLUMNS)} FROM visits WHERE "  # noqa: S608 - constant

    def person(person: int, lo: datetime, hi: datetime) -> list[Visit]:
        return _visits(
            duck.execute(select + "person_id = ? AND entered_at BETWEEN ? AND ?", [person, lo, hi]).fetchall()
        )

    def in_ranges(sources: Sequence[Visit], until: datetime) -> list[Visit]:
        if not sources:
            return []
        ranges = [candidate_range(v, rules, until) for v in sources]
        where = " OR ".join(["(venue_id = ? AND entered_at > ? AND entered_at < ?)"] * len(ranges))
        return _visits(duck.execute(select + where, [x for r in ranges for x in r]).fetchall())

    return person, in_ranges


def _duckdb_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """The same rows in an in-memory DuckDB table (its database scanners need a download; a CSV not)."""
    sql = (
        "SELECT c.id, c.person_id, c.venue_id, {entered}, {left}, v.default_stay_minutes "
        "FROM checkins_checkin c JOIN venues_venue v ON v.id = c.venue_id ORDER BY c.id"
    )
    with path.open("w", newline="") as out, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            utc = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
            query = sql.format(entered=utc.format("c.entered_at"), left=utc.format("c.left_at"))
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    out.write(bytes(block).decode())
        else:
            cursor.execute(sql.format(entered="c.entered_at", left="c.left_at"))
            writer = csv.writer(out)
            while rows := cursor.fetchmany(50_000):
                writer.writerows(rows)
    duck = duckdb.connect()
    types = {"id": "BIGINT", "person_id": "BIGINT", "venue_id": "BIGINT"}
    types |= {"entered_at": "TIMESTAMP", "left_at": "TIMESTAMP", "stay": "INTEGER"}
    # The path is our own temporary file; DuckDB takes no parameters in a table function's arguments.
    duck.execute(f"CREATE TABLE visits AS SELECT * FROM read_csv('{path}', header=false, columns={types})")  # noqa: S608
    return duck


def _explain(case: CaseFacts, rules: Rules) -> str:
    """The plan of the engine's own F1 candidates statement, as it runs: one index range scan on
    (venue, entered_at) per range, not a table scan."""
    fetch, _fetch_candidates = _engine_fetchers(rules)
    window = infectious_window(case, rules)
    lo, hi = case_visit_bounds(window, rules)
    visits = [v for v in fetch(case.person_id, lo, hi) if meets_window(v, window, rules)]
    if not visits:
        return f"EXPLAIN: case person {case.person_id} has no visit in the window, so nothing ran."
    sql, params = candidates_statement(visits, rules, window[1])
    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with statement_cursor() as cursor:
        cursor.execute(prefix + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    return (
        f"EXPLAIN of the engine's F1 candidates statement ({connection.vendor}):\n\n```\n{sql}\n\n{plan}\n```"
    )
