"""The tracing rules fed from the database with bounded range queries.

Every query is "this venue, entered_at in (lo, hi)" on the (venue, entered_at) index, where the bounds
come from `rules.candidate_range` (a visit can only overlap if it began less than `max_stay` before).
All of one case's visits go to the database in ONE query (an OR of ranges); the F1s' visits and the
F2 candidates go in chunks of ranges, so a case with thousands of F1s never builds one huge statement.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q

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

# Ranges (or people) per statement: far below SQLite's 32766 parameters and quick to plan.
CHUNK = 400


def _fetch(query: Q) -> list[Visit]:
    rows = CheckIn.objects.filter(query).values_list(
        "id", "person_id", "venue_id", "entered_at", "left_at", "venue__default_stay_minutes"
    )
    return [
        Visit(id=i, person_id=p, venue_id=v, entered_at=a, left_at=b, default_stay=timedelta(minutes=stay))
        for i, p, v, a, b, stay in rows
    ]


def _merged_ranges(sources: Iterable[Visit], rules: Rules) -> list[tuple[int, datetime, datetime]]:
    """Candidate ranges per venue with overlapping ones merged (visits at one venue often touch)."""
    by_venue: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for source in sources:
        venue, lo, hi = candidate_range(source, rules)
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


def _candidates(sources: Sequence[Visit], rules: Rules) -> list[Visit]:
    ranges = _merged_ranges(sources, rules)
    found: list[Visit] = []
    for start in range(0, len(ranges), CHUNK):
        batch = ranges[start : start + CHUNK]
        found.extend(
            _fetch(reduce(or_, (Q(venue_id=v, entered_at__gt=lo, entered_at__lt=hi) for v, lo, hi in batch)))
        )
    return found


def _visits_from(earliest: dict[int, datetime]) -> list[Visit]:
    people = sorted(earliest)
    found: list[Visit] = []
    for start in range(0, len(people), CHUNK):
        batch = people[start : start + CHUNK]
        found.extend(_fetch(Q(person_id__in=batch, entered_at__gte=min(earliest[p] for p in batch))))
    return found


def trace_from_database(case: CaseFacts, rules: Rules) -> TraceResult:
    window = infectious_window(case, rules)
    lo, hi = case_visit_bounds(window, rules)
    case_visits = tuple(
        v
        for v in _fetch(Q(person_id=case.person_id, entered_at__gte=lo, entered_at__lte=hi))
        if meets_window(v, window, rules)
    )
    exclude = {case.person_id}
    f1 = as_found(
        find_contacts(case_visits, _candidates(case_visits, rules), exclude=exclude, rules=rules), "F1"
    )
    sources = f2_sources(f1, _visits_from(earliest_exposing(f1)), quarantine_starts(f1))
    exclude |= set(f1)
    f2 = as_found(find_contacts(sources, _candidates(sources, rules), exclude=exclude, rules=rules), "F2")
    return TraceResult(window=window, case_visits=case_visits, f1=f1, f2=f2)
