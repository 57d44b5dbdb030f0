"""A brute-force reading of the tracing rules, written straight from ARCHITECTURE.md with nested loops
and no shared code with qrtrace.tracing.rules, plus hypothesis strategies for random worlds."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

T0 = datetime(2026, 3, 1, tzinfo=UTC)
BEFORE_ONSET, BUFFER, MAX_STAY = timedelta(hours=48), timedelta(minutes=30), timedelta(hours=12)
MIN_OVERLAP = timedelta(minutes=1)


@dataclass(frozen=True)
class RawVisit:
    person: int  # index into the world's people
    venue: int  # index into the world's venues
    entered: datetime
    left: datetime | None


@dataclass(frozen=True)
class World:
    stays: list[int]  # default stay in minutes, per venue
    people: int
    visits: list[RawVisit]
    case_person: int
    confirmed: datetime
    onset: datetime | None
    isolated: datetime | None
    quarantine: dict[int, datetime]
    now: datetime  # when the trace runs


def _end(visit: RawVisit, stays: list[int]) -> datetime:
    end = visit.left
    if end is None or end <= visit.entered:
        end = visit.entered + timedelta(minutes=stays[visit.venue])
    return min(end, visit.entered + MAX_STAY)


def _overlaps(source: RawVisit, other: RawVisit, stays: list[int], until: datetime) -> bool:
    """Together at the venue (the source's stay plus the buffer after it) for more than 0 whole
    minutes, counting no time after `until`."""
    if source.venue != other.venue:
        return False
    start = max(source.entered, other.entered)
    end = min(_end(source, stays) + BUFFER, _end(other, stays), until)
    return end - start >= MIN_OVERLAP


def reference(world: World) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """F1 and F2 as {person index: {visit index of theirs that overlapped}}."""
    visits, stays = world.visits, world.stays
    w0 = (world.onset or world.confirmed) - BEFORE_ONSET
    # To isolation, or to now while none is recorded; never past now.
    w1 = world.now if world.isolated is None else min(world.isolated, world.now)
    case_visits = [
        v for v in visits if v.person == world.case_person and v.entered <= w1 and _end(v, stays) >= w0
    ]
    f1: dict[int, set[int]] = {}
    for cv in case_visits:
        for i, v in enumerate(visits):
            if v.person != world.case_person and _overlaps(cv, v, stays, w1):
                f1.setdefault(v.person, set()).add(i)
    f2: dict[int, set[int]] = {}
    for person, exposing in f1.items():
        first = min(visits[i].entered for i in exposing)
        quarantined = world.quarantine.get(person)
        for fv in visits:
            if fv.person != person or fv.entered < first:
                continue
            if quarantined is not None and fv.entered >= quarantined:
                continue
            for i, v in enumerate(visits):
                if v.person == world.case_person or v.person in f1:
                    continue
                if _overlaps(fv, v, stays, world.now):
                    f2.setdefault(v.person, set()).add(i)
    return f1, f2


_minutes = st.integers(min_value=0, max_value=3 * 24 * 60)


@st.composite
def _visit(draw, people: int, venues: int) -> RawVisit:
    entered = T0 + timedelta(minutes=draw(_minutes))
    # None: no check-out; long stays test the clamp; negative ones are clock-skewed devices.
    stay = draw(st.none() | st.integers(min_value=-30, max_value=16 * 60))
    return RawVisit(
        person=draw(st.integers(0, people - 1)),
        venue=draw(st.integers(0, venues - 1)),
        entered=entered,
        left=None if stay is None else entered + timedelta(minutes=stay),
    )


@st.composite
def worlds(draw, max_visits: int = 40) -> World:
    venues = draw(st.integers(1, 3))
    people = draw(st.integers(2, 6))
    # Confirmed late in the period, so the case's window usually holds some of the visits.
    confirmed = T0 + timedelta(minutes=draw(st.integers(24 * 60, 4 * 24 * 60)))
    # Traced up to a day after the confirmation: often while the case's last visits are still open.
    now = confirmed + timedelta(minutes=draw(st.integers(0, 24 * 60)))
    return World(
        stays=draw(st.lists(st.sampled_from([15, 30, 60, 240, 480]), min_size=venues, max_size=venues)),
        people=people,
        visits=draw(st.lists(_visit(people, venues), min_size=4, max_size=max_visits)),
        case_person=0,
        confirmed=confirmed,
        onset=draw(st.none() | st.just(confirmed - timedelta(minutes=draw(st.integers(0, 3 * 24 * 60))))),
        isolated=draw(st.none() | st.just(confirmed + timedelta(minutes=draw(st.integers(-600, 600))))),
        quarantine=draw(
            st.dictionaries(
                st.integers(1, people - 1), st.just(T0 + timedelta(minutes=draw(_minutes))), max_size=3
            )
        ),
        now=now,
    )
