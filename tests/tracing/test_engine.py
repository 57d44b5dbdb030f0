"""The database engine against the brute-force reference, on whichever database the suite runs on."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from qrtrace.tracing.engine import trace_from_database
from qrtrace.tracing.hooks import quarantine_start_providers, register_quarantine_start_provider
from qrtrace.tracing.rules import CaseFacts, Rules

from .conftest import store_world, visit
from .reference import BEFORE_ONSET, BUFFER, MAX_STAY, reference, worlds

RULES = Rules(before_onset=BEFORE_ONSET, buffer=BUFFER, max_stay=MAX_STAY)


class EngineMatchesReference(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds(max_visits=30))
    def test_the_database_engine_finds_exactly_the_reference_f1_and_f2(self, world):
        people, _venues, checkins = store_world(world)
        case = CaseFacts(people[world.case_person].pk, world.confirmed, world.onset, world.isolated)
        starts = {people[p].pk: start for p, start in world.quarantine.items()}
        # Quarantine starts come through the hook the quarantine app fills in production.
        provider = register_quarantine_start_provider(lambda ids: {p: starts[p] for p in ids if p in starts})
        try:
            result = trace_from_database(case, RULES)
        finally:
            quarantine_start_providers.remove(provider)
        f1, f2 = reference(world)
        as_ids = {people[p].pk: {checkins[i].pk for i in visits} for p, visits in f1.items()}
        assert {p: {c.visit_id for c in f.contacts} for p, f in result.f1.items()} == as_ids
        as_ids = {people[p].pk: {checkins[i].pk for i in visits} for p, visits in f2.items()}
        assert {p: {c.visit_id for c in f.contacts} for p, f in result.f2.items()} == as_ids


class EngineQueries(TestCase):
    def test_all_of_a_cases_visits_go_to_the_database_in_one_query(self):
        from tests import actors

        case_person = actors.make_person("Ca bệnh", "+84912000001")
        contact = actors.make_person("Tiếp xúc", "+84912000002")
        venues = [actors.make_venue(f"Chợ {i}") for i in range(6)]
        for i, venue in enumerate(venues):
            visit(case_person, venue, 40 + i * 2)
            visit(contact, venue, 40.5 + i * 2)
        case = CaseFacts(case_person.pk, visit(case_person, venues[0], 60).entered_at)
        with CaptureQueriesContext(connection) as queries:
            result = trace_from_database(case, RULES)
        assert set(result.f1) == {contact.pk}
        assert len(result.f1[contact.pk].contacts) == 6
        # case visits, F1 candidates, F1s' visits, F2 candidates: four statements, not one per visit.
        assert len(queries) == 4
