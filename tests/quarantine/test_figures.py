"""quarantine/figures.py: the dashboard's quarantine figures and facilities layer, checked against
counts taken one order at a time (tests/quarantine/figures_world.py)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qrtrace.quarantine import figures
from qrtrace.quarantine.models import QuarantineOrder
from tests import actors

from . import figures_world
from .figures_world import A, B


@pytest.fixture
def world(db):
    return figures_world.build(timezone.localdate())


def _provided(first, last) -> Counter:
    counts = Counter()
    for row in figures.daily_figures(first_day=first, last_day=last):
        assert set(row) <= {"commune_code", "day", "figures", "hours"}  # nothing about a person
        for name, value in row["figures"].items():
            assert name in figures.LABELS
            counts[row["commune_code"], row["day"], name] += value
    return counts


def test_each_communes_daily_figures_equal_the_orders_counted_one_by_one(world):
    first, last = world.today - timedelta(days=9), world.today
    expected = figures_world.brute_force(first, last)
    assert _provided(first, last) == expected
    # The world is not trivial: each figure is there, in both communes.
    assert {name for _c, _d, name in expected} == set(figures.LABELS)
    assert {commune for commune, _d, _n in expected} == {A, B}


def test_home_counts_where_the_person_lives_and_a_facility_where_it_is(world):
    today = world.today
    got = _provided(today, today)
    # The person living in B quarantined in A's facility counts in A; B's home order (a transfer's
    # successor) in B; A's two home orders (one began today) in A.
    assert got[A, today, "in_quarantine_facility"] == 1
    assert got[B, today, "in_quarantine_facility"] == 0
    assert got[A, today, "in_quarantine_home"] == 2
    assert got[B, today, "in_quarantine_home"] == 1


def test_a_transfer_is_neither_a_second_start_nor_a_second_person(world):
    got = _provided(world.today - timedelta(days=9), world.today)
    assert got[B, world.today - timedelta(days=7), "quarantine_started"] == 1  # not 2
    # In B: a facility order moved home 4 days ago, beside a facility order (became a case 2 days
    # ago) and a home order (completed yesterday). Before the move the successor does not count.
    before, after = world.today - timedelta(days=5), world.today - timedelta(days=4)
    assert (got[B, before, "in_quarantine_facility"], got[B, before, "in_quarantine_home"]) == (2, 1)
    assert (got[B, after, "in_quarantine_facility"], got[B, after, "in_quarantine_home"]) == (1, 2)


def test_the_figures_take_a_few_queries_whatever_the_number_of_orders(world):
    days = 10
    with CaptureQueriesContext(connection) as few:
        list(figures.daily_figures(first_day=world.today - timedelta(days=days - 1), last_day=world.today))
    policy, commune = QuarantineOrder.objects.values_list("policy_id", "commune_id").first()
    for number in range(60):
        person = actors.make_person(f"Thêm {number}", f"+8490600{number:04d}", commune_id=commune)
        QuarantineOrder.objects.create(
            person=person,
            reason="f1",
            vaccination="full",
            kind="home",
            commune_id=commune,
            start_date=world.today - timedelta(days=number % 9),
            planned_end=world.today,
            policy_id=policy,
            status="in_quarantine",
        )
    with CaptureQueriesContext(connection) as many:
        list(figures.daily_figures(first_day=world.today - timedelta(days=days - 1), last_day=world.today))
    assert len(many) == len(few) <= 2 * days + 4  # two per day (states), four set-based figures


def test_the_facilities_layer_is_one_feature_per_facility_of_the_communes_asked_for(world):
    features = figures.facilities_layer(first=world.today, last=world.today, communes=[A, B])
    expected = figures_world.occupancy()
    assert {
        f["properties"]["code"]: (f["properties"]["beds"], f["properties"]["occupied"]) for f in features
    } == (expected)
    for feature in features:
        p = feature["properties"]
        assert p["free"] == p["beds"] - p["occupied"] and p["status"] in ("open", "full", "closed")
        assert set(p) == {
            "code",
            "name",
            "commune_code",
            "commune",
            "status",
            "status_label",
            "beds",
            "occupied",
            "free",
        }
    # The ordered one waiting for its bed holds it; the closed and transferred orders do not.
    assert expected["KCL-HT"] == (4, 2) and expected["KCL-QP"] == (2, 0)
    only_a = figures.facilities_layer(first=world.today, last=world.today, communes=[A])
    assert [f["properties"]["code"] for f in only_a] == ["KCL-HT"]


def test_case_confirmed_to_f1_in_quarantine_is_a_histogram_equal_to_the_orders_counted_one_by_one(world):
    figures_world.build_timeliness(world.today)
    first, last = world.today - timedelta(days=9), world.today
    got = Counter()
    with CaptureQueriesContext(connection) as queries:
        rows = list(figures._to_quarantine(first_day=first, last_day=last))
    assert len(queries) == 1
    for row in rows:
        got[row["place"], row["day"], str(row["hours"])] += row["n"]
    expected = figures_world.to_quarantine_one_by_one(first, last)
    assert got == expected
    assert sum(expected.values()) == 10 and {c for c, _d, _h in expected} == {A, B}

    provided = Counter()
    for row in figures.daily_figures(first_day=first, last_day=last):
        for hours, n in row.get("hours", {}).get("to_quarantine", {}).items():
            provided[row["commune_code"], row["day"], hours] += n
    assert provided == expected
    assert set(figures.HOURS) == {"to_quarantine"}
