from datetime import timedelta

from django.test import override_settings
from hypothesis import given, settings

from qrtrace.tracing.rules import CaseFacts, Rules, Visit, trace

from .reference import BEFORE_ONSET, BUFFER, MAX_STAY, T0, World, reference, worlds

RULES = Rules(before_onset=BEFORE_ONSET, buffer=BUFFER, max_stay=MAX_STAY)


def _visits(world: World) -> list[Visit]:
    return [
        Visit(
            id=i,
            person_id=v.person,
            venue_id=v.venue,
            entered_at=v.entered,
            left_at=v.left,
            default_stay=timedelta(minutes=world.stays[v.venue]),
        )
        for i, v in enumerate(world.visits)
    ]


def _case(world: World) -> CaseFacts:
    return CaseFacts(world.case_person, world.confirmed, world.onset, world.isolated, now=world.now)


def _as_reference(found) -> dict[int, set[int]]:
    return {person: {c.visit_id for c in f.contacts} for person, f in found.items()}


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_the_rules_find_exactly_the_reference_f1_and_f2_with_the_same_evidence(world):
    result = trace(_case(world), _visits(world), RULES, world.quarantine)
    f1, f2 = reference(world)
    assert _as_reference(result.f1) == f1
    assert _as_reference(result.f2) == f2


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_every_overlap_is_positive_and_inside_both_visits(world):
    result = trace(_case(world), _visits(world), RULES, world.quarantine)
    for found in [*result.f1.values(), *result.f2.values()]:
        assert list(found.contacts) == sorted(found.contacts, key=lambda c: c.start)
        for contact in found.contacts:
            assert contact.start < contact.end
            assert contact.start >= contact.visit_entered_at
            assert contact.minutes > 0
            assert contact.end <= world.now
    for found in result.f1.values():
        assert all(contact.end <= result.window[1] for contact in found.contacts)
    if world.isolated is not None:
        assert result.window[1] <= world.isolated


def test_an_overlap_under_a_minute_at_the_edge_of_the_buffer_is_no_contact():
    case = CaseFacts(person_id=0, confirmed_at=T0 + timedelta(hours=5), now=T0 + timedelta(hours=5))
    stay = timedelta(minutes=60)
    visits = [
        Visit(1, 0, 1, T0, T0 + timedelta(hours=1), stay),
        # Arrived 29.5 minutes after the case left: 30 seconds inside the buffer, "0 phút".
        Visit(2, 1, 1, T0 + timedelta(hours=1, minutes=29, seconds=30), None, stay),
    ]
    assert trace(case, visits, RULES).f1 == {}


def test_a_case_not_yet_isolated_is_infectious_until_now_and_no_overlap_runs_past_it():
    now = T0 + timedelta(hours=5)
    case = CaseFacts(person_id=0, confirmed_at=T0 + timedelta(hours=4), now=now)
    stay = timedelta(minutes=90)
    visits = [
        Visit(1, 0, 1, now - timedelta(minutes=9), None, stay),  # after the confirmation, still there
        Visit(2, 1, 1, now - timedelta(minutes=5), None, stay),
    ]
    result = trace(case, visits, RULES)
    assert result.window[1] == now
    assert result.f1[1].primary.end == now and result.f1[1].primary.minutes == 5


def test_a_missing_check_out_lasts_the_venues_usual_stay_and_a_long_one_is_clamped():
    open_visit = Visit(1, 1, 1, T0, None, timedelta(minutes=45))
    long_visit = Visit(2, 1, 1, T0, T0 + timedelta(hours=30), timedelta(minutes=45))
    assert open_visit.end(RULES) == T0 + timedelta(minutes=45)
    assert long_visit.end(RULES) == T0 + MAX_STAY


def test_someone_arriving_within_the_buffer_after_the_case_left_is_f1_but_not_at_the_buffer_edge():
    case = CaseFacts(person_id=0, confirmed_at=T0 + timedelta(hours=5), now=T0 + timedelta(hours=5))
    stay = timedelta(minutes=60)
    visits = [
        Visit(1, 0, 1, T0, T0 + timedelta(hours=1), stay),
        Visit(2, 1, 1, T0 + timedelta(hours=1, minutes=29), None, stay),
        Visit(3, 2, 1, T0 + timedelta(hours=1, minutes=30), None, stay),
    ]
    result = trace(case, visits, RULES)
    assert set(result.f1) == {1}
    assert result.f1[1].primary.minutes == 1


def test_f2_counts_only_the_f1s_visits_from_their_exposure_until_their_quarantine():
    case = CaseFacts(person_id=0, confirmed_at=T0 + timedelta(hours=10), now=T0 + timedelta(hours=10))
    stay = timedelta(minutes=60)
    visits = [
        Visit(1, 0, 1, T0 + timedelta(hours=2), None, stay),  # case at venue 1
        Visit(2, 1, 1, T0 + timedelta(hours=2), None, stay),  # person 1 becomes F1
        Visit(3, 1, 2, T0, None, stay),  # F1 at venue 2 before exposure: no F2
        Visit(4, 2, 2, T0, None, stay),
        Visit(5, 1, 3, T0 + timedelta(hours=4), None, stay),  # after exposure: F2
        Visit(6, 3, 3, T0 + timedelta(hours=4), None, stay),
        Visit(7, 1, 4, T0 + timedelta(hours=8), None, stay),  # after quarantine start: no F2
        Visit(8, 4, 4, T0 + timedelta(hours=8), None, stay),
    ]
    result = trace(case, visits, RULES, {1: T0 + timedelta(hours=6)})
    assert set(result.f1) == {1}
    assert set(result.f2) == {3}
    assert result.f2[3].primary.source_person_id == 1


def test_the_rule_version_changes_with_any_parameter_and_follows_the_settings():
    versions = {
        RULES.version,
        Rules(BEFORE_ONSET + timedelta(hours=1), BUFFER, MAX_STAY).version,
        Rules(BEFORE_ONSET, BUFFER + timedelta(minutes=1), MAX_STAY).version,
        Rules(BEFORE_ONSET, BUFFER, MAX_STAY + timedelta(hours=1)).version,
        Rules(BEFORE_ONSET, BUFFER, MAX_STAY, timedelta(minutes=5)).version,
    }
    assert len(versions) == 5
    assert Rules.from_settings().version == RULES.version
    with override_settings(QRTRACE_TRACING_BUFFER_MINUTES=15):
        assert Rules.from_settings().buffer == timedelta(minutes=15)
        assert Rules.from_settings().version != RULES.version
