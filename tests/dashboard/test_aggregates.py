from datetime import timedelta
from statistics import median

from qrtrace.checkins.models import CheckIn
from qrtrace.dashboard import aggregates, hooks
from qrtrace.dashboard.hooks import FigureRow
from qrtrace.dashboard.models import AggregateRun, DailyFigure
from qrtrace.dashboard.selectors import daily_series, median_hours, overview
from qrtrace.tracing.models import Level
from tests import actors

from . import independent
from .conftest import A, B, at


def _sum(rows, name):
    return sum(getattr(row, name) for row in rows)


def test_each_days_figures_equal_the_counts_taken_from_the_source_tables(province):
    first = province.today - timedelta(days=13)
    for commune in (A, B):
        rows = list(DailyFigure.objects.filter(commune_id=commune, day__gte=first))
        assert _sum(rows, "checkins") == independent.checkins({commune}, first, province.today) > 0
        assert _sum(rows, "new_cases") == independent.new_cases({commune}, first, province.today)
        assert _sum(rows, "f1_traced") == independent.exposures({commune}, first, province.today, Level.F1)
        assert _sum(rows, "f2_traced") == independent.exposures({commune}, first, province.today, Level.F2)
        assert _sum(rows, "alerts_published") == independent.alerts({commune}, first, province.today)
        today = DailyFigure.objects.filter(commune_id=commune, day=province.today).first()
        assert (today.active_cases if today else 0) == independent.active_cases({commune}, province.today)


def test_a_discarded_case_counts_nowhere_and_a_closed_one_stops_being_active(province):
    assert independent.new_cases({A, B}, province.today - timedelta(days=13), province.today) == 4
    yesterday = DailyFigure.objects.filter(day=province.today - timedelta(days=1))
    assert sum(row.new_cases for row in yesterday) == 0  # the one confirmed yesterday was discarded
    ten_days_ago = province.today - timedelta(days=9)
    recovered_commune = province.cases[3].person.commune_id
    assert (
        DailyFigure.objects.get(
            commune_id=recovered_commune, day=ten_days_ago + timedelta(days=1)
        ).active_cases
        >= 1
    )
    after = DailyFigure.objects.filter(
        commune_id=recovered_commune, day=province.today - timedelta(days=3)
    ).first()
    assert after is None or after.active_cases == independent.active_cases({recovered_commune}, after.day)


def test_active_venues_are_the_distinct_venues_checked_into_that_day(province):
    for row in DailyFigure.objects.filter(checkins__gt=0):
        assert 1 <= row.active_venues <= 2  # two venues in each commune
        assert row.active_venues <= row.checkins


def test_timeliness_is_kept_as_hour_histograms_whose_median_matches_the_cases(province):
    first = province.today - timedelta(days=13)
    found = independent.list_ready_hours({A, B}, first, province.today)
    durations = [hours for hours, count in found.items() for _ in range(count)]
    totals = overview(user=None, on=province.today)
    both = totals.week.hours["list_ready"] + totals.previous_week.hours["list_ready"]
    assert median_hours(both) == median(durations)
    assert median_hours({"5": 2, "9": 1}) == 5
    assert median_hours({"5": 1, "9": 1}) == 7
    assert median_hours({}) is None


def test_notified_hours_count_each_f1_whose_message_was_sent(province):
    rows = DailyFigure.objects.all()
    assert sum(sum(row.notified_hours.values()) for row in rows) == 4
    case = province.cases[1]  # confirmed 2 days ago, its F1's message 6 hours later
    row = DailyFigure.objects.get(commune_id=case.person.commune_id, day=province.today - timedelta(days=2))
    assert row.notified_hours == {"6": 1}


def test_a_refresh_replaces_the_days_it_rebuilds_and_records_when(province):
    before = DailyFigure.objects.count()
    run = aggregates.refresh(days=20, today=province.today)
    assert DailyFigure.objects.count() == before
    assert AggregateRun.objects.count() == 2
    assert aggregates.as_of() == run.started_at
    assert set(DailyFigure.objects.values_list("as_of", flat=True)) == {run.started_at}


def test_a_refresh_of_the_last_days_keeps_older_figures(province):
    old = DailyFigure.objects.filter(day__lt=province.today - timedelta(days=2)).count()
    aggregates.refresh(days=3, today=province.today)
    assert DailyFigure.objects.filter(day__lt=province.today - timedelta(days=2)).count() == old


def test_a_refresh_with_no_data_at_all_records_an_empty_run(db):
    run = aggregates.refresh(days=3)
    assert run.rows == 0 and DailyFigure.objects.count() == 0


def test_figures_of_another_app_join_through_the_provider_registry(province, monkeypatch):
    def quarantine(*, first_day, last_day):
        yield FigureRow(
            commune_code=A,
            day=last_day,
            figures={"in_quarantine_home": 7},
            hours={"to_quarantine": {"20": 2}},
        )

    monkeypatch.setattr(hooks, "_figure_labels", dict(hooks._figure_labels))  # quarantine's come back
    monkeypatch.setattr(hooks, "_figure_providers", [])  # only this one: the real one would add to it
    hooks.register_figure_provider(quarantine, labels={"in_quarantine_home": "Cách ly tại nhà"})
    try:
        aggregates.refresh(days=1, today=province.today)
        row = DailyFigure.objects.get(commune_id=A, day=province.today)
        assert row.extra == {"in_quarantine_home": 7}
        day = daily_series(user=None, first=province.today, last=province.today)[0]
        assert day["extra"] == {"in_quarantine_home": 7}
        assert day["median_hours"]["to_quarantine"] == 20
    finally:
        hooks.unregister(quarantine)


def test_figures_are_scoped_to_the_viewers_communes(province, commune_official):
    mine = daily_series(user=commune_official, first=province.today - timedelta(days=13), last=province.today)
    assert sum(day["checkins"] for day in mine) == independent.checkins(
        {actors.COMMUNE_A}, province.today - timedelta(days=13), province.today
    )


def test_an_apps_figures_module_is_found_and_connected_without_it_importing_the_dashboard(
    province, monkeypatch
):
    import sys
    import types
    from importlib.machinery import ModuleSpec

    module = types.ModuleType("qrtrace.tracing.figures")
    module.__spec__ = ModuleSpec("qrtrace.tracing.figures", None)
    module.LABELS = {"in_facility": "Cách ly tập trung"}
    module.daily_figures = lambda *, first_day, last_day: [
        {"commune_code": B, "day": last_day, "figures": {"in_facility": 3}}
    ]
    module.map_layers = lambda: {"facilities": lambda *, first, last, communes: []}
    monkeypatch.setitem(sys.modules, "qrtrace.tracing.figures", module)
    # The registries as they are (quarantine's real providers in them) come back afterwards.
    monkeypatch.setattr(hooks, "_figure_labels", dict(hooks._figure_labels))
    monkeypatch.setattr(hooks, "_layer_providers", dict(hooks._layer_providers))
    hooks.autodiscover()
    try:
        aggregates.refresh(days=1, today=province.today)
        assert DailyFigure.objects.get(commune_id=B, day=province.today).extra == {"in_facility": 3}
        assert hooks.figure_labels()["in_facility"] == "Cách ly tập trung"
        assert hooks.layer_provider("facilities") is not None
    finally:
        hooks.unregister(module.daily_figures)


def test_sums_are_kept_until_the_next_refresh_and_then_summed_again(province, province_official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, last = province.today - timedelta(days=13), province.today
    before = daily_series(user=province_official, first=first, last=last)
    with CaptureQueriesContext(connection) as queries:
        again = daily_series(user=province_official, first=first, last=last)
        overview(user=province_official, on=last)
        overview(user=province_official, on=last)
    assert again == before
    reads = [q["sql"] for q in queries.captured_queries if "dashboard_dailyfigure" in q["sql"]]
    assert len(reads) == 1, reads  # the overview's first sums only; the series and its repeat are kept

    again[0]["checkins"] = -1  # a caller changing what it got changes nothing kept
    assert daily_series(user=province_official, first=first, last=last)[0] == before[0]

    person = actors.make_person(phone="+84912000999", commune_id=A)
    visit = {"venue": province.venues[0], "person": person, "entered_at": at(last, 12), "method": "self_scan"}
    CheckIn.objects.create(**visit)
    assert daily_series(user=province_official, first=first, last=last) == before  # as of the refresh
    aggregates.refresh(days=1, today=last)
    after = daily_series(user=province_official, first=first, last=last)
    assert after[-1]["checkins"] == before[-1]["checkins"] + 1
    assert overview(user=province_official, on=last).today.counts["checkins"] == after[-1]["checkins"]
