"""Quarantine's figures and facilities on the dashboard, through the hooks: the map layer, the figures
page, the API and the daily report, each against counts taken one order at a time."""

from datetime import timedelta
from statistics import median

import pytest
from django.test import override_settings

from qrtrace.dashboard import aggregates, reports
from qrtrace.dashboard.layers import layer
from qrtrace.dashboard.selectors import overview
from qrtrace.quarantine.figures import LABELS
from tests.quarantine import figures_world

from .conftest import A, B, build_province
from .test_reports import _pdf_text


@pytest.fixture
def world(db):
    province = build_province()
    quarantine = figures_world.build(province.today)
    aggregates.refresh(days=20, today=province.today)
    return quarantine


def _expected(today, name, communes=(A, B), days=1):
    counts = figures_world.brute_force(today - timedelta(days=days - 1), today)
    return sum(n for (commune, _day, figure), n in counts.items() if figure == name and commune in communes)


def test_the_facilities_layer_places_each_facility_at_its_commune_with_its_beds(world, province_official):
    body = layer(name="facilities", user=province_official, first=world.today, last=world.today)
    occupancy = figures_world.occupancy()
    assert body["total"] == len(body["features"]) == 3 and not body["capped"]
    communes = layer(name="communes", user=province_official, first=world.today, last=world.today)
    centre = {f["properties"]["code"]: f["geometry"] for f in communes["features"]}
    for feature in body["features"]:
        p = feature["properties"]
        assert (p["beds"], p["occupied"]) == occupancy[p["code"]]
        assert feature["geometry"] == centre[p["commune_code"]]


def test_a_commune_official_sees_only_the_facilities_of_the_commune(world, commune_official):
    body = layer(name="facilities", user=commune_official, first=world.today, last=world.today)
    assert [f["properties"]["code"] for f in body["features"]] == ["KCL-HT"]


@override_settings(QRTRACE_MAP_LAYER_CAP=10)
def test_the_facilities_layer_says_when_it_is_capped(world, province_official):
    from qrtrace.quarantine.models import Facility

    for n in range(10):
        Facility.objects.create(code=f"X{n}", name=f"Trạm {n}", commune_id=A, address="-", managing_unit="-")
    body = layer(name="facilities", user=province_official, first=world.today, last=world.today)
    assert body["capped"] and body["total"] == 13 and len(body["features"]) == 10


def test_the_overview_shows_quarantine_states_as_the_days_and_flows_as_sums(world, province_official):
    data = overview(user=province_official, on=world.today)
    today = world.today
    for name in ("in_quarantine_home", "in_quarantine_facility"):
        assert data.today.extra.get(name, 0) == _expected(today, name)
        assert data.week.extra.get(name, 0) == _expected(today, name)  # the week's last day, not a sum
    week_started = _expected(today, "quarantine_started", days=7)
    assert week_started and data.week.extra.get("quarantine_started", 0) == week_started
    by_code = {row["code"]: row for row in data.communes}
    assert by_code[B]["week_extra"].get("in_quarantine_home", 0) == _expected(
        today, "in_quarantine_home", (B,)
    )


def test_the_figures_page_shows_every_quarantine_figure(world, client, province_official):
    client.force_login(province_official)
    html = client.get("/dashboard/").content.decode()
    for name in LABELS:
        assert f'data-figure="{name}"' in html
    assert (
        f'<td data-col="in_quarantine_facility">{_expected(world.today, "in_quarantine_facility", (A,))}</td>'
        in html
    )


def test_the_api_carries_the_quarantine_figures(world, client, province_official):
    client.force_login(province_official)
    days = client.get("/api/v1/stats/daily", {"from": world.today, "to": world.today}).json()
    assert days[0]["extra"].get("in_quarantine_home", 0) == _expected(world.today, "in_quarantine_home")
    communes = client.get("/api/v1/stats/communes").json()["communes"]
    home = sum(c["week_extra"].get("in_quarantine_home", 0) for c in communes)
    assert home == _expected(world.today, "in_quarantine_home")


def test_the_report_has_a_row_per_quarantine_figure_and_columns_by_commune(
    world, province_official, tmp_path
):
    from django.utils import translation

    with translation.override("vi"):
        report = reports.report_build(user=province_official, day=world.today)
        rows = {row[0]: row for row in report.summary_rows()}
        for label in LABELS.values():
            assert str(label) in rows
        home = rows[str(LABELS["in_quarantine_home"])]
        assert home[1:] == [_expected(world.today, "in_quarantine_home"), "", "", ""]
        started = rows[str(LABELS["quarantine_started"])]
        assert started[2] == _expected(world.today, "quarantine_started", days=7)
        assert str(LABELS["in_quarantine_facility"]) in report.commune_header()
        assert len(report.commune_rows()[0]) == len(report.commune_header())

    # The PDF, rendered to PNG and read back: the same numbers in the summary and by commune.
    text = _pdf_text(reports.report_render(user=province_official, day=world.today, kind="pdf"), tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    label = "Đang cách ly tại nhà"
    assert any(line == f"{label} {_expected(world.today, 'in_quarantine_home')}" for line in lines)
    commune_b = next(line for line in lines if line.startswith("Phường Quảng Phú "))
    numbers = commune_b.removeprefix("Phường Quảng Phú ").split()
    home, facility = (
        _expected(world.today, name, (B,)) for name in ("in_quarantine_home", "in_quarantine_facility")
    )
    assert numbers[-3:-1] == [str(home), str(facility)]


def test_case_confirmed_to_f1_in_quarantine_shows_its_median_beside_the_other_timeliness_figures(
    db, client, province_official
):
    province = build_province()
    figures_world.build(province.today)
    figures_world.build_timeliness(province.today)
    aggregates.refresh(days=20, today=province.today)
    week = figures_world.to_quarantine_one_by_one(province.today - timedelta(days=6), province.today)
    hours = [int(h) for (commune, _day, h), n in week.items() if commune in (A, B) for _ in range(n)]
    assert len(hours) == 10
    expected = median(hours)

    client.force_login(province_official)
    html = client.get("/dashboard/").content.decode()
    shown = html.split('<dd data-median="to_quarantine">')[1].split("</dd>")[0]
    assert float(shown.replace(",", ".")) == expected
    assert "Xác nhận ca → F1 được đưa vào cách ly" in html
    assert "khi có dữ liệu cách ly" not in html  # the placeholder is gone

    days = client.get(
        "/api/v1/stats/daily", {"from": province.today - timedelta(days=6), "to": province.today}
    )
    assert all("to_quarantine" in day["median_hours"] for day in days.json())  # None on a day with none
    from django.utils import translation

    with translation.override("vi"):
        rows = dict(reports.report_build(user=province_official, day=province.today).timeliness_rows())
    assert len(rows) == 3
    assert float(rows["Xác nhận ca → F1 được đưa vào cách ly (trung vị giờ, 7 ngày)"]) == expected
