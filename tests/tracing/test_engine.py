"""The database engine against the brute-force reference, on whichever database the suite runs on."""

import gc
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from qrtrace.checkins.models import CheckIn
from qrtrace.tracing import engine, rules
from qrtrace.tracing.engine import candidates_statement, statement_cursor, trace_from_database, visits_of
from qrtrace.tracing.hooks import quarantine_start_providers, register_quarantine_start_provider
from qrtrace.tracing.rules import CaseFacts, Rules

from .conftest import store_world, visit
from .reference import BEFORE_ONSET, BUFFER, MAX_STAY, T0, reference, worlds

RULES = Rules(before_onset=BEFORE_ONSET, buffer=BUFFER, max_stay=MAX_STAY)


class EngineMatchesReference(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds(max_visits=30))
    def test_the_database_engine_finds_exactly_the_reference_f1_and_f2(self, world):
        people, _venues, checkins = store_world(world)
        case = CaseFacts(
            people[world.case_person].pk, world.confirmed, world.onset, world.isolated, now=world.now
        )
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
        confirmed = visit(case_person, venues[0], 60).entered_at
        case = CaseFacts(case_person.pk, confirmed, now=confirmed)
        with CaptureQueriesContext(connection) as queries:
            result = trace_from_database(case, RULES)
        assert set(result.f1) == {contact.pk}
        assert len(result.f1[contact.pk].contacts) == 6
        # case visits, F1 candidates, the F1s' quarantine starts (the quarantine app's provider), F1s'
        # visits, F2 candidates: five statements, not one per visit.
        assert len(queries) == 5


class EngineTimeBoundaries(TestCase):
    """The SQL bounds are exact to the microsecond (the random worlds above move in whole minutes)."""

    def test_a_case_visit_at_the_windows_last_microsecond_counts_and_one_a_microsecond_later_does_not(self):
        from tests import actors

        case_person = actors.make_person("Ca bệnh", "+84912000011")
        met_at_confirmation = actors.make_person("Gặp lúc xác nhận", "+84912000012")
        met_after = actors.make_person("Gặp sau xác nhận", "+84912000013")
        market, shop = actors.make_venue("Chợ"), actors.make_venue("Cửa hàng")
        confirmed = visit(case_person, market, 50).entered_at + timedelta(microseconds=123)
        CheckIn.objects.filter(person=case_person).update(entered_at=confirmed, left_at=None)
        later = visit(case_person, shop, 50)
        CheckIn.objects.filter(pk=later.pk).update(entered_at=confirmed + timedelta(microseconds=1))
        visit(met_at_confirmation, market, 50)
        visit(met_after, shop, 50)
        # Not isolated, traced at the confirmation: the window ends then.
        result = trace_from_database(CaseFacts(case_person.pk, confirmed, now=confirmed), RULES)
        assert [v.venue_id for v in result.case_visits] == [market.pk]
        # The visit meets the window, but none of it lies inside: no overlap runs past the window.
        assert set(result.f1) == set()

    def test_a_visit_counts_only_if_it_overlaps_the_source_a_full_minute_to_the_microsecond(self):
        from tests import actors

        case_person = actors.make_person("Ca bệnh", "+84912000021")
        left_after_a_minute = actors.make_person("Rời sau 1 phút", "+84912000022")
        left_just_before = actors.make_person("Rời sớm 1 µs", "+84912000023")
        market = actors.make_venue("Chợ")
        source = visit(case_person, market, 50)
        a_minute = timedelta(minutes=1)
        just_under = a_minute - timedelta(microseconds=1)
        for person, ends in ((left_after_a_minute, a_minute), (left_just_before, just_under)):
            other = visit(person, market, 49)
            CheckIn.objects.filter(pk=other.pk).update(left_at=source.entered_at + ends)
        facts = CaseFacts(case_person.pk, source.entered_at, now=source.entered_at + timedelta(hours=2))
        result = trace_from_database(facts, RULES)
        assert set(result.f1) == {left_after_a_minute.pk}


class CandidatesFromTheIndexAlone(TestCase):
    """The candidates statement reads every column it needs from the (venue, entered_at) index, not
    from a table row per check-in (migration checkins 0006; docs/benchmarks.md, "Tracing")."""

    def test_the_candidates_statement_is_an_index_only_scan_of_the_venue_index(self):
        from tests import actors

        case_person = actors.make_person("Ca bệnh", "+84912000031")
        people = [actors.make_person(f"Khách {n}", f"+84913000{n:03d}") for n in range(10)]
        venues = [actors.make_venue(f"Chợ {i}") for i in range(20)]
        # Ten people at each of twenty venues every day for five days: what the planner sees of a
        # real table, where one venue and a few hours are a small part of it.
        CheckIn.objects.bulk_create(
            CheckIn(venue=venue, person=person, entered_at=T0 + timedelta(days=d, hours=n), method="api")
            for d in range(5)
            for venue in venues
            for n, person in enumerate(people)
        )
        for venue in venues[:3]:
            visit(case_person, venue, 50)
        sources = visits_of([(case_person.pk, T0, None)])
        sql, params = candidates_statement(sources, RULES, T0 + timedelta(days=30))
        with statement_cursor() as cursor:
            if connection.vendor == "postgresql":
                # A test table is small enough to read whole: ask for the plan a large one gets.
                cursor.execute(f"ANALYZE {CheckIn._meta.db_table}")
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute("EXPLAIN " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert len(sources) == 3
        if connection.vendor == "postgresql":
            # Test rows are dated before the day partitions the migration made: the default one.
            assert "Index Only Scan using checkins_checkin_default_venue_cover" in plan, plan
        else:
            assert "USING COVERING INDEX checkin_venue_cover" in plan, plan


class CyclicCollectorPausedForATrace(TestCase):
    """A trace runs with Python's cyclic garbage collector off (its passes over the trace's many
    objects took a third of the time) and always turns it back on."""

    def test_the_collector_is_off_during_a_trace_and_on_after_it_even_when_it_fails(self):
        from tests import actors

        case = CaseFacts(actors.make_person("Ca bệnh", "+84912000041").pk, T0, now=T0)
        seen = []

        def find_contacts(*args, **kwargs):
            seen.append(gc.isenabled())
            return rules.find_contacts(*args, **kwargs)

        with mock.patch.object(engine, "find_contacts", find_contacts):
            trace_from_database(case, RULES)
        assert seen == [False, False]
        assert gc.isenabled()
        with (
            mock.patch.object(engine, "find_contacts", side_effect=RuntimeError("boom")),
            pytest.raises(RuntimeError),
        ):
            trace_from_database(case, RULES)
        assert gc.isenabled()

    def test_a_collector_turned_off_by_someone_else_stays_off(self):
        from tests import actors

        gc.disable()
        try:
            case_person = actors.make_person("Ca bệnh", "+84912000042")
            trace_from_database(CaseFacts(case_person.pk, T0, now=T0), RULES)
            assert not gc.isenabled()
        finally:
            gc.enable()
