"""The tracing rules as pure functions: visits in, exposures out. No ORM, no clock, no settings
beyond the `Rules` value passed in, so the same data and rule version always give the same lists.

Definitions (ARCHITECTURE.md "Tracing rules"):
- A visit lasts [entered_at, left_at or entered_at + venue default stay], at most `max_stay`
  (a check-out at or before the check-in counts as missing).
- Infectious window: [(symptom_onset or confirmed_at) - before_onset, isolated_at], and, while
  isolation is not recorded, to `now` (the moment of the trace); never past `now`.
- F1: another person's visit [a, b] to a venue the case visited during [v0, v1], where that case
  visit meets the window, overlapping [v0, v1 + buffer] for at least `min_overlap` (more than 0
  whole minutes) once the overlap is cut at the end of the window: no overlap runs past the case's
  isolation or past now.
- F2: the same test against each F1's visits that begin at or after the start of that F1's earliest
  exposing visit (and before their quarantine start, if any), excluding the case and all F1s, with
  the overlaps cut at now.
"""

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings


@dataclass(frozen=True)
class Rules:
    before_onset: timedelta
    buffer: timedelta
    max_stay: timedelta
    min_overlap: timedelta = timedelta(minutes=1)

    @classmethod
    def from_settings(cls) -> "Rules":
        return cls(
            before_onset=timedelta(hours=settings.QRTRACE_TRACING_BEFORE_ONSET_HOURS),
            buffer=timedelta(minutes=settings.QRTRACE_TRACING_BUFFER_MINUTES),
            max_stay=timedelta(hours=settings.QRTRACE_TRACING_MAX_STAY_HOURS),
            min_overlap=timedelta(minutes=settings.QRTRACE_TRACING_MIN_OVERLAP_MINUTES),
        )

    @property
    def version(self) -> str:
        """A short name for these parameters and this reading of them (r2: the window runs to now
        until isolation, overlaps are cut at the window's end and must last `min_overlap`): stored on
        each exposure so a list can be reproduced."""
        params = f"{self.before_onset.total_seconds():g}/{self.buffer.total_seconds():g}/"
        params += f"{self.max_stay.total_seconds():g}/{self.min_overlap.total_seconds():g}"
        return "r2-" + hashlib.sha256(params.encode()).hexdigest()[:8]

    def in_words(self) -> dict[str, int | str]:
        """The parameters in the units the case page states them in."""
        return {
            "before_onset_hours": int(self.before_onset.total_seconds() // 3600),
            "buffer_minutes": int(self.buffer.total_seconds() // 60),
            "max_stay_hours": int(self.max_stay.total_seconds() // 3600),
            "min_overlap_minutes": int(self.min_overlap.total_seconds() // 60),
            "version": self.version,
        }


class Visit(NamedTuple):
    """One check-in as the rules see it. A named tuple, not a dataclass: a trace builds thousands of
    these and of `Contact`s, and a tuple is made several times faster (docs/benchmarks.md, "Tracing")."""

    id: int
    person_id: int
    venue_id: int
    entered_at: datetime
    left_at: datetime | None
    default_stay: timedelta

    def end(self, rules: Rules) -> datetime:
        """When the visit counts as over: a missing check-out is the venue's usual stay; a stay
        longer than `max_stay` is clamped (and flagged for review by the check-in app). A check-out
        at or before the check-in (a device with a wrong clock) says nothing, so it counts as missing."""
        return visit_end(self.entered_at, self.left_at, self.default_stay, rules.max_stay)

    def shown_end(self, rules: Rules, until: datetime) -> tuple[datetime, bool]:
        """The end to show on a timeline or alert: `end`, never past `until` (the end of the case's
        window), and whether it is estimated rather than the recorded check-out (none, a stay
        clamped to `max_stay`, or one cut at the window's end)."""
        end = min(self.end(rules), until)
        return end, end != self.left_at


def visit_end(
    entered_at: datetime, left_at: datetime | None, stay: timedelta, max_stay: timedelta
) -> datetime:
    """`Visit.end` on the visit's fields, for a loop that has them unpacked."""
    if left_at is None or left_at <= entered_at:
        return min(entered_at + stay, entered_at + max_stay)
    return min(left_at, entered_at + max_stay)


@dataclass(frozen=True)
class CaseFacts:
    """The case's times, and `now`: the moment of the trace, where the window of a case not yet
    isolated ends (passed in, so the rules read no clock and a trace can be repeated)."""

    person_id: int
    confirmed_at: datetime
    symptom_onset: datetime | None = None
    isolated_at: datetime | None = None
    now: datetime = field(kw_only=True)


class Contact(NamedTuple):
    """One overlap: `visit_id` (of the exposed person) met `source_visit_id` (of the source).

    The fields come in the order a person's contacts are listed (earliest first, then by source and
    visit), so a list of them sorts as plain tuples, without a key function."""

    start: datetime
    source_person_id: int
    source_visit_id: int
    visit_id: int
    venue_id: int
    visit_entered_at: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class Found(NamedTuple):
    """An exposed person at one level; `contacts` is every overlap, earliest first. (A named tuple,
    as `Visit`: a trace lists thousands.)"""

    person_id: int
    level: str
    contacts: tuple[Contact, ...]

    @property
    def primary(self) -> Contact:
        return self.contacts[0]


@dataclass(frozen=True)
class TraceResult:
    window: tuple[datetime, datetime]
    case_visits: tuple[Visit, ...]
    f1: dict[int, Found]
    f2: dict[int, Found]


def infectious_window(case: CaseFacts, rules: Rules) -> tuple[datetime, datetime]:
    start = (case.symptom_onset or case.confirmed_at) - rules.before_onset
    end = case.now if case.isolated_at is None else min(case.isolated_at, case.now)
    return start, end


def case_visit_bounds(window: tuple[datetime, datetime], rules: Rules) -> tuple[datetime, datetime]:
    """entered_at range [lo, hi] holding every case visit that can meet the window."""
    return window[0] - rules.max_stay, window[1]


def meets_window(visit: Visit, window: tuple[datetime, datetime], rules: Rules) -> bool:
    return visit.entered_at <= window[1] and visit.end(rules) >= window[0]


def reach(source: Visit, rules: Rules, until: datetime) -> datetime:
    """Where overlaps with `source` end: the buffer after the source left, cut at `until` (the end
    of the case's window for F1, now for F2)."""
    return min(source.end(rules) + rules.buffer, until)


def candidate_range(source: Visit, rules: Rules, until: datetime) -> tuple[int, datetime, datetime]:
    """(venue, lo, hi): every visit that can overlap `source` has lo < entered_at < hi.

    b > v0 and b <= a + max_stay give a > v0 - max_stay, so the database answers with a short index
    range scan on (venue, entered_at) instead of scanning every open-ended visit.
    """
    return source.venue_id, source.entered_at - rules.max_stay, reach(source, rules, until)


def find_contacts(
    sources: Iterable[Visit],
    candidates: Iterable[Visit],
    *,
    exclude: set[int],
    rules: Rules,
    until: datetime,
) -> dict[int, list[Contact]]:
    """Contacts per exposed person, each list sorted earliest first. `exclude` must hold every
    source's own person (a visit is no contact of itself); no overlap runs past `until`."""
    # Per venue, (entered_at, id, end, person) sorted by entry: a source's candidates are one slice,
    # found by bisection, and each visit's end is computed once however many sources it meets.
    # This runs for every candidate and every contact of a trace (thousands): plain tuples, fields
    # unpacked once, no method calls in the inner loop. An overlap [max(a, v0), min(b, reach)] lasts
    # `min_overlap` exactly when a <= reach - m, b >= v0 + m, b - a >= m and reach - v0 >= m: the
    # last two are tested once per candidate and once per source, the first ends the slice and the
    # second is the one test per visit of it.
    max_stay, m = rules.max_stay, rules.min_overlap
    by_venue: dict[int, list[tuple[datetime, int, datetime, int]]] = defaultdict(list)
    for visit_id, person, venue, a, left, stay in candidates:
        if person not in exclude:
            b = visit_end(a, left, stay, max_stay)
            if b - a >= m:
                by_venue[venue].append((a, visit_id, b, person))
    keys: dict[int, list[datetime]] = {}
    for venue, visits in by_venue.items():
        visits.sort()  # (entered_at, id) are unique, so the rest of the tuple never decides
        keys[venue] = [row[0] for row in visits]
    found: dict[int, list[Contact]] = defaultdict(list)
    for source in sources:
        venue, lo, ends = candidate_range(source, rules, until)  # ends: where its overlaps end
        visits = by_venue.get(venue)
        v0 = source.entered_at
        if visits is None or ends - v0 < m:
            continue
        last_start, first_end = ends - m, v0 + m
        source_person, source_id = source.person_id, source.id
        for i in range(bisect.bisect_right(keys[venue], lo), len(visits)):
            a, visit_id, b, person = visits[i]
            if a > last_start:
                break
            if b >= first_end:
                found[person].append(
                    Contact(max(a, v0), source_person, source_id, visit_id, venue, a, min(b, ends))
                )
    for contacts in found.values():
        contacts.sort()
    return dict(found)


def earliest_exposing(f1: Mapping[int, Found]) -> dict[int, datetime]:
    """When each F1's earliest exposing visit began: their visits from then on can pass it on."""
    return {person: min(c.visit_entered_at for c in found.contacts) for person, found in f1.items()}


def f2_sources(
    f1: Mapping[int, Found], f1_visits: Iterable[Visit], quarantine_starts: Mapping[int, datetime]
) -> list[Visit]:
    """The F1s' visits that can pass exposure on: from their first exposing visit, before quarantine."""
    earliest = earliest_exposing(f1)
    return [
        visit
        for visit in f1_visits
        if visit.person_id in earliest
        and visit.entered_at >= earliest[visit.person_id]
        and (
            visit.person_id not in quarantine_starts or visit.entered_at < quarantine_starts[visit.person_id]
        )
    ]


def as_found(contacts: Mapping[int, list[Contact]], level: str) -> dict[int, Found]:
    return {person: Found(person, level, tuple(found)) for person, found in contacts.items()}


def trace(
    case: CaseFacts,
    visits: Sequence[Visit],
    rules: Rules,
    quarantine_starts: Mapping[int, datetime] | None = None,
) -> TraceResult:
    """Trace with every visit in memory: the composition the database engine performs in stages."""
    window = infectious_window(case, rules)
    case_visits = tuple(v for v in visits if v.person_id == case.person_id and meets_window(v, window, rules))
    f1 = as_found(
        find_contacts(case_visits, visits, exclude={case.person_id}, rules=rules, until=window[1]), "F1"
    )
    sources = f2_sources(f1, visits, quarantine_starts or {})
    exclude = {case.person_id, *f1}
    f2 = as_found(find_contacts(sources, visits, exclude=exclude, rules=rules, until=case.now), "F2")
    return TraceResult(window=window, case_visits=case_visits, f1=f1, f2=f2)
