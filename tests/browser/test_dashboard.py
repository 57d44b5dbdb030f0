"""The map and the dashboard in a browser, as a province and as a commune official: layers toggled,
numbers shown checked against counts taken straight from the database, screenshots for review."""

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from qrtrace.dashboard import aggregates, services
from qrtrace.dashboard.models import Period, RestrictedArea
from tests import actors
from tests.dashboard import independent
from tests.dashboard.conftest import A, B, build_province
from tests.quarantine import figures_world

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "vi-VN"}


def _signed_in(browser, live_server, user, **context):
    client = Client()
    client.force_login(user)
    ctx = browser.new_context(**context)
    ctx.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return ctx.new_page()


def _shown(page) -> dict[int, int]:
    rows = page.locator("#commune-figures tbody tr")
    return {
        int(rows.nth(i).get_attribute("data-code")): int(rows.nth(i).locator("td").nth(1).inner_text())
        for i in range(rows.count())
    }


@pytest.fixture
def world():
    # A transactional test empties every table, the rules the migrations wrote among them.
    from django.apps import apps

    import_module("qrtrace.dashboard.migrations.0002_risk_rules").add_rules(apps, None)
    data = build_province()
    figures_world.build(data.today)  # quarantine orders of every fate and three facilities
    aggregates.refresh(days=20, today=data.today)
    services.risk_levels_compute(on=data.today, period=Period.WEEK)
    area = RestrictedArea.objects.create(
        name="Khu phố Chợ Vườn Hoa", reason="Ổ dịch tại chợ", starts_on=data.today
    )
    area.communes.set([A])
    return data


@pytest.mark.parametrize("who", ["province", "commune"])
def test_the_map_shows_each_communes_figures_as_the_database_counts_them(
    live_server, launch, screenshot, world, who
):
    user = (
        actors.make_official("cdc", "province", actors.PROVINCE)
        if who == "province"
        else actors.make_official("tram_a", "commune", A)
    )
    communes = {A, B} if who == "province" else {A}
    first = world.today - timedelta(days=13)
    browser = launch()
    for size, context in (("desktop", DESKTOP), ("phone", PHONE)):
        page = _signed_in(browser, live_server, user, **context)
        page.goto(f"{live_server.url}/dashboard/map")
        expect(page.locator("body")).to_have_attribute("data-layer-communes", "loaded")
        expect(page.locator("body")).to_have_attribute("data-layer-alerts", "loaded")
        expect(page.locator("body")).to_have_attribute("data-layer-restricted", "loaded")
        shown = _shown(page)
        assert set(shown) == communes
        assert shown == {code: independent.new_cases({code}, first, world.today) for code in communes}
        expect(page.locator(".map-label")).to_have_count(len(communes))
        expect(page.locator("#restricted-list li")).to_contain_text(["Khu phố Chợ Vườn Hoa"])
        expect(page.locator("#map-status")).to_contain_text(
            "nền trơn"
        )  # no tiles configured: plain background
        if who == "province":
            expect(page.locator("#unplaced li")).to_have_count(164)
            expect(page.locator("#alert-venues li")).to_have_count(2)
        else:
            expect(page.locator("#unplaced li")).to_have_text(["Không có."])
            expect(page.locator("#alert-venues li")).to_have_count(1)
        screenshot(page, f"dashboard-map-{who}-{size}")

    page.select_option("select[name=figure]", "checkins")
    expect(page.locator("#figure-name")).to_have_text("Lượt quét mã")
    page.wait_for_function("document.querySelector('#commune-figures td[data-col=checkins]') !== null")
    assert _shown(page) == {code: independent.checkins({code}, first, world.today) for code in communes}

    page.get_by_label("Địa điểm có cảnh báo đã công bố").uncheck()
    expect(page.locator("body")).not_to_have_attribute("data-layer-alerts", "loaded")
    page.get_by_label("Số liệu theo xã").uncheck()
    expect(page.locator(".map-label")).to_have_count(0)
    page.get_by_label("Số liệu theo xã").check()
    expect(page.locator(".map-label")).to_have_count(len(communes))
    _facilities_shown_as_counted(page, who, screenshot)

    # a narrower date range: only today
    page.fill("input[name=from]", world.today.isoformat())
    page.locator("input[name=from]").dispatch_event("change")
    page.wait_for_function(
        "([code, n]) => { const r = document.querySelector("
        "`#commune-figures tr[data-code='${code}'] td[data-col=checkins]`);"
        " return r && r.textContent === String(n); }",
        arg=[A, independent.checkins({A}, world.today, world.today)],
    )


def _facilities_shown_as_counted(page, who, screenshot):
    """The facilities layer switched on: each facility's beds, occupied and free as the database
    counts them, its popup opened from the list; switched off again, the list stays as it was."""
    page.get_by_label("Cơ sở cách ly").check()
    expect(page.locator("body")).to_have_attribute("data-layer-facilities", "loaded")
    counted = figures_world.occupancy()
    codes = {"KCL-HT"} if who == "commune" else set(counted)
    rows = page.locator("#facility-figures tbody tr")
    expect(rows).to_have_count(len(codes))
    shown = {}
    for i in range(rows.count()):
        cells = rows.nth(i)
        shown[cells.get_attribute("data-code")] = tuple(
            int(cells.locator(f"[data-col={col}]").inner_text()) for col in ("beds", "occupied", "free")
        )
    assert shown == {
        code: (beds, held, beds - held) for code, (beds, held) in counted.items() if code in codes
    }
    rows.filter(has_text="Trường Chính trị tỉnh").click()
    beds, held = counted["KCL-HT"]
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Trường Chính trị tỉnh")
    expect(popup).to_contain_text(f"Có người: {held} / {beds} giường")
    expect(popup).to_contain_text(f"Giường trống: {beds - held}")
    page.wait_for_timeout(400)  # the popup's fade-in and the map's pan to it
    screenshot(page, f"dashboard-map-facilities-{who}-phone")
    page.get_by_label("Cơ sở cách ly").uncheck()
    expect(page.locator("body")).not_to_have_attribute("data-layer-facilities", "loaded")


@pytest.mark.parametrize("who", ["province", "commune"])
def test_the_dashboard_shows_the_figures_the_database_counts(live_server, launch, screenshot, world, who):
    user = (
        actors.make_official("cdc", "province", actors.PROVINCE)
        if who == "province"
        else actors.make_official("tram_a", "commune", A)
    )
    communes = {A, B} if who == "province" else {A}
    week = (world.today - timedelta(days=6), world.today)
    before = (world.today - timedelta(days=13), world.today - timedelta(days=7))
    browser = launch()
    for size, context in (("desktop", DESKTOP), ("phone", PHONE)):
        page = _signed_in(browser, live_server, user, **context)
        page.goto(f"{live_server.url}/dashboard/")
        card = page.locator("[data-figure=checkins]")
        expect(card.locator("[data-value=week]")).to_have_text(str(independent.checkins(communes, *week)))
        expect(card.locator("[data-value=previous]")).to_have_text(
            str(independent.checkins(communes, *before))
        )
        expect(page.locator("[data-figure=new_cases] [data-value=week]")).to_have_text(
            str(independent.new_cases(communes, *week))
        )
        expect(page.locator("[data-figure=active_cases] [data-value=today]")).to_have_text(
            str(independent.active_cases(communes, world.today))
        )
        rows = page.locator("#communes tbody tr")
        expect(rows).to_have_count(166 if who == "province" else 1)
        row = page.locator(f"#communes tr[data-code='{A}']")
        expect(row.locator("[data-col=week_checkins]")).to_have_text(str(independent.checkins({A}, *week)))
        quarantine = figures_world.brute_force(world.today - timedelta(days=6), world.today)
        for name in ("in_quarantine_home", "in_quarantine_facility"):  # states: today's, in A; the cards
            expect(row.locator(f"[data-col={name}]")).to_have_text(str(quarantine[A, world.today, name]))
            expect(page.locator(f"[data-figure={name}] [data-value=today]")).to_have_text(
                str(sum(quarantine[c, world.today, name] for c in communes))
            )
        expect(page.locator("[data-figure=quarantine_started] [data-value=week]")).to_have_text(
            str(
                sum(
                    n
                    for (c, _d, name), n in quarantine.items()
                    if name == "quarantine_started" and c in communes
                )
            )
        )
        expect(page.locator("#chart canvas")).to_have_count(1)
        screenshot(page, f"dashboard-figures-{who}-{size}")

    page.get_by_role("link", name="Lượt quét mã").click()
    expect(page).to_have_url(re.compile(r"sort=week_checkins"))
    first = page.locator("#communes tbody tr").first.locator("[data-col=week_checkins]")
    expect(first).to_have_text(str(max(independent.checkins({code}, *week) for code in communes)))
    page.locator(f"#communes tr[data-code='{A}'] a").click()
    expect(page.locator("h1")).to_have_text("Phường Hạc Thành")
    expect(page.locator("#risk")).to_contain_text("218/QĐ-BYT")
    screenshot(page, f"dashboard-commune-{who}-phone")


def test_the_province_office_draws_a_restricted_area_that_the_map_then_shows(
    live_server, launch, screenshot, world
):
    user = actors.make_official("cdc", "province", actors.PROVINCE)
    page = _signed_in(launch(), live_server, user, **DESKTOP)
    page.goto(f"{live_server.url}/dashboard/restricted-areas")
    page.locator("#draw-map").scroll_into_view_if_needed()
    box = page.locator("#draw-map").bounding_box()
    for dx, dy in ((0.3, 0.3), (0.7, 0.3), (0.6, 0.7)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    assert '"type":"Polygon"' in page.locator("textarea[name=geometry]").input_value()
    page.fill("input[name=name]", "Khu công nghiệp Lễ Môn")
    page.fill("input[name=reason]", "Chùm ca bệnh tại khu công nghiệp")
    page.fill("input[name=starts_on]", world.today.isoformat())
    screenshot(page, "dashboard-areas-draw")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("ul.areas")).to_contain_text("Khu công nghiệp Lễ Môn")
    area = RestrictedArea.objects.get(name="Khu công nghiệp Lễ Môn")
    assert area.geometry["type"] == "Polygon" and len(area.geometry["coordinates"][0]) == 4
    page.goto(f"{live_server.url}/dashboard/map")
    expect(page.locator("#restricted-list")).to_contain_text("Khu công nghiệp Lễ Môn")
    # Dates in the site's one format, not ISO (issue 15).
    expect(page.locator("#restricted-list")).to_contain_text(f"{world.today:%d/%m/%Y}–…")


def test_a_commune_official_lifts_an_area_on_a_phone_without_javascript_and_the_map_drops_it(
    live_server, launch, screenshot, world
):
    user = actors.make_official("tram_a", "commune", A)
    browser = launch()
    page = _signed_in(browser, live_server, user, **{**PHONE, "locale": "vi-VN"}, java_script_enabled=False)
    page.goto(f"{live_server.url}/dashboard/restricted-areas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-areas-phone")
    page.locator("ul.areas li", has_text="Khu phố Chợ Vườn Hoa").get_by_role("link", name="Dỡ bỏ").click()
    expect(page.locator("h1")).to_have_text("Dỡ bỏ vùng phong tỏa")
    page.fill("input[name=reason]", "Không còn ca mới")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-area-lift-phone")
    page.get_by_role("button", name="Dỡ bỏ").click()
    expect(page.locator("ul.areas")).not_to_contain_text("Khu phố Chợ Vườn Hoa")
    expect(page.locator("ul.areas-past")).to_contain_text("Khu phố Chợ Vườn Hoa")
    expect(page.locator("ul.areas-past")).to_contain_text("tram_a")
    expect(page.locator("ul.areas-past")).to_contain_text("Không còn ca mới")
    screenshot(page, "dashboard-areas-lifted-phone")
    area = RestrictedArea.objects.get(name="Khu phố Chợ Vườn Hoa")
    assert area.ended_on == world.today and area.ended_by == user
    page = _signed_in(browser, live_server, user, **DESKTOP)
    page.goto(f"{live_server.url}/dashboard/map")
    expect(page.locator("body")).to_have_attribute("data-layer-restricted", "loaded")
    expect(page.locator("#restricted-list")).not_to_contain_text("Khu phố Chợ Vườn Hoa")
