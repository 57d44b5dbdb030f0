"""The public side on a 390 × 844 phone: an announcement from the province office reaches the public
page, the Atom feed and the check-in confirmation of venues in its area only, until it expires; the
exposure self-check warns a phone that was at a venue during a published alert, and only that one."""

from datetime import timedelta

import feedparser
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from qrtrace.checkins.models import CheckIn
from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(**PHONE)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def _check_in(page, live_server, venue, phone: str):
    page.goto(f"{live_server.url}/v/{venue_token(venue)}")
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Văn A")
    page.get_by_label("Số điện thoại", exact=True).fill(phone)
    page.get_by_label("Năm sinh", exact=True).fill("1985")
    page.get_by_role("button", name="Khai báo và vào").click()
    expect(page.locator("section.receipt")).to_be_visible()


def test_a_province_announcement_reaches_the_public_page_the_feed_and_receipts_in_its_area_until_it_expires(
    live_server, launch, screenshot, monkeypatch
):
    inside = actors.make_venue("Chợ Vườn Hoa", actors.COMMUNE_A)
    outside = actors.make_venue("Siêu thị Quảng Phú", actors.COMMUNE_B)
    browser = launch()
    office = _signed_in(browser, live_server, actors.make_official("cdc", "province", actors.PROVINCE))
    office.goto(f"{live_server.url}/announcements/new")
    office.get_by_label("Tiêu đề").fill("Xét nghiệm miễn phí tại nhà văn hoá phường")
    office.get_by_label("Nội dung").fill(
        "Từ 7h đến 17h hằng ngày. Xem https://syt.thanhhoa.gov.vn/xet-nghiem"
    )
    office.get_by_label("Xã/phường (không chọn: toàn tỉnh)").select_option(str(actors.COMMUNE_A))
    office.get_by_label("Mức ưu tiên").select_option("1")
    expires = timezone.localtime() + timedelta(hours=1)
    office.get_by_label("Hết hạn lúc").fill(expires.strftime("%Y-%m-%dT%H:%M"))
    screenshot(office, "public-announcement-form")
    office.get_by_role("button", name="Đăng", exact=True).click()
    expect(office.get_by_role("status")).to_contain_text("Đã đăng thông báo")
    screenshot(office, "public-announcement-list")

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{live_server.url}/public/")
    expect(phone.locator("article.announcement")).to_contain_text("Xét nghiệm miễn phí")
    screenshot(phone, "public-page")

    feed = feedparser.parse(
        phone.request.get(f"{live_server.url}/public/feed/{actors.COMMUNE_A}.atom").body()
    )
    assert [entry.title for entry in feed.entries] == ["Xét nghiệm miễn phí tại nhà văn hoá phường"]
    assert "/public/announcements/" in feed.entries[0].link

    _check_in(phone, live_server, inside, "0912345678")
    expect(phone.locator("section.announcements")).to_contain_text("Xét nghiệm miễn phí")
    expect(phone.locator("section.announcements a[href^='https://syt.thanhhoa.gov.vn']")).to_have_count(1)
    screenshot(phone, "public-receipt-announcement")

    elsewhere = browser.new_context(**PHONE).new_page()
    _check_in(elsewhere, live_server, outside, "0912345679")
    expect(elsewhere.locator("section.receipt")).to_contain_text("Siêu thị Quảng Phú")
    expect(elsewhere.locator("section.announcements")).to_have_count(0)

    # An hour and a minute later (the clock of the server, which runs in this process).
    later = timezone.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    phone.goto(f"{live_server.url}/public/")
    expect(phone.get_by_text("Xét nghiệm miễn phí")).to_have_count(0)
    late = browser.new_context(**PHONE).new_page()
    _check_in(late, live_server, inside, "0912345670")
    expect(late.locator("section.receipt")).to_contain_text("Chợ Vườn Hoa")
    expect(late.locator("section.announcements")).to_have_count(0)
    assert feedparser.parse(phone.request.get(f"{live_server.url}/public/feed.atom").body()).entries == []


def _published_alert(venue, start, end):
    case = Case.objects.create(person=actors.make_person("Ca bệnh", "+84900000009"), confirmed_at=end)
    VenueAlert.objects.create(
        case=case, venue=venue, starts_at=start, ends_at=end, status=AlertStatus.PUBLISHED, published_at=end
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_phone_that_was_there_during_a_published_alert_sees_the_warning_and_one_outside_it_does_not(
    live_server, launch, screenshot, javascript
):
    venue = actors.make_venue("Quán cà phê Hạc Thành", kind="restaurant", default_stay_minutes=60)
    browser = launch()
    during = browser.new_context(**PHONE, java_script_enabled=javascript).new_page()
    _check_in(during, live_server, venue, "0912000001")
    before = browser.new_context(**PHONE, java_script_enabled=javascript).new_page()
    _check_in(before, live_server, venue, "0912000002")
    now = timezone.now()
    # The second phone's visit is moved to three days ago: it left long before the case came.
    second = CheckIn.objects.order_by("pk").last()
    CheckIn.objects.filter(pk=second.pk).update(
        entered_at=now - timedelta(days=3), left_at=now - timedelta(days=3) + timedelta(minutes=30)
    )
    _published_alert(venue, now - timedelta(minutes=30), now + timedelta(minutes=30))

    during.goto(f"{live_server.url}/public/check")
    warning = during.get_by_role("alert")
    expect(warning).to_contain_text("Bạn có thể đã bị phơi nhiễm")
    expect(warning).to_contain_text("Quán cà phê Hạc Thành")
    expect(warning).not_to_contain_text("Nguyễn Văn A")
    screenshot(during, f"public-self-check-warning{'' if javascript else '-nojs'}")

    before.goto(f"{live_server.url}/public/check")
    expect(before.get_by_role("alert")).to_have_count(0)
    expect(before.get_by_role("status")).to_contain_text("Không có cảnh báo nào trùng")

    # Anyone, by the code on the poster and the day.
    stranger = browser.new_context(**PHONE, java_script_enabled=javascript).new_page()
    stranger.goto(f"{live_server.url}/public/check")
    stranger.get_by_label("Mã in trên áp phích của địa điểm").fill(venue.code.lower())
    stranger.get_by_label("Ngày bạn đến").fill(timezone.localdate().isoformat())
    stranger.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(stranger.locator(".check-result")).to_contain_text("Một ca bệnh đã ở đây")
    screenshot(stranger, "public-self-check-by-code")


def test_a_citizen_reads_the_guide_and_reports_a_poster_that_does_not_scan(live_server, launch, screenshot):
    from qrtrace.public.models import Feedback

    page = launch().new_context(**PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name="Hướng dẫn khai báo bằng mã QR").click()
    expect(page.locator("h1")).to_have_text("Hướng dẫn khai báo y tế bằng mã QR")
    expect(page.locator("section#citizens img").first).to_be_visible()
    screenshot(page, "public-guide")
    page.goto(f"{live_server.url}/public/feedback")
    page.get_by_label("Vấn đề").select_option("not_scanning")
    page.get_by_label("Xã/phường của địa điểm").select_option(str(actors.COMMUNE_A))
    page.get_by_label("Địa điểm (tên, địa chỉ hoặc mã trên áp phích)").fill("Chợ Vườn Hoa, cổng phía Nam")
    page.get_by_label("Chi tiết").fill("Áp phích bị bạc màu, camera không nhận.")
    screenshot(page, "public-feedback")
    page.wait_for_timeout(3200)  # a person takes a few seconds; a form sent at once is a robot's
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn bạn")
    assert Feedback.objects.get().place == "Chợ Vườn Hoa, cổng phía Nam"
    page.goto(f"{live_server.url}/public/embed")
    expect(page.locator("#figures")).to_be_visible()
    screenshot(page, "public-embed")


@pytest.fixture
def province_world():
    """The dashboard's small province: weekly risk levels computed, commune A raised to 4 by a
    decision, a restricted area in A, published alerts at venues with coordinates."""
    from importlib import import_module

    from django.apps import apps

    from qrtrace.dashboard import aggregates, services
    from qrtrace.dashboard.models import Period, RestrictedArea, RiskOverride
    from tests.dashboard.conftest import A, build_province

    import_module("qrtrace.dashboard.migrations.0002_risk_rules").add_rules(apps, None)
    data = build_province()
    aggregates.refresh(days=20, today=data.today)
    services.risk_levels_compute(on=data.today, period=Period.WEEK)
    now = timezone.now()
    RiskOverride.objects.create(
        commune_id=A,
        level=4,
        reason="Ổ dịch tại chợ",
        set_by=actors.make_official("cdc", "province", actors.PROVINCE),
        starts_at=now - timedelta(hours=1),
        expires_at=now + timedelta(days=3),
    )
    area = RestrictedArea.objects.create(
        name="Khu phố Chợ Vườn Hoa", starts_on=data.today, ends_on=data.today + timedelta(days=13)
    )
    area.communes.set([A])
    return data


def _levels_in_the_database(on) -> dict[int, int]:
    """Each commune's level straight from the tables: an unexpired decision, else its latest weekly
    assessment (the rule docs/dashboard.md states)."""
    from qrtrace.dashboard.models import Period, RiskAssessment, RiskOverride

    levels = {
        a.commune_id: a.level
        for a in RiskAssessment.objects.filter(period=Period.WEEK, on__lte=on).order_by("on")
    }
    now = timezone.now()
    for o in RiskOverride.objects.filter(ended_at__isnull=True, starts_at__lte=now, expires_at__gt=now):
        levels[o.commune_id] = o.level
    return {code: level for code, level in levels.items() if level}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_citizen_opens_the_map_from_the_public_page_and_sees_the_levels_the_database_holds(
    live_server, launch, screenshot, province_world, javascript
):
    from tests.dashboard.conftest import A

    expected = _levels_in_the_database(province_world.today)
    assert expected[A] == 4 and len(set(expected.values())) > 1
    page = launch().new_context(**PHONE, java_script_enabled=javascript).new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name="Xem bản đồ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bản đồ dịch")
    rows = page.locator(".map-levels tr[data-code]")
    shown = {
        int(rows.nth(i).get_attribute("data-code")): int(rows.nth(i).get_attribute("data-level"))
        for i in range(rows.count())
    }
    assert shown == expected
    expect(page.locator(f".map-levels tr[data-code='{A}'] td").nth(1)).to_have_text("4")
    expect(page.locator("details.level-group summary").first).to_contain_text(
        "Cấp 4 – nguy cơ rất cao (đỏ) · 1 xã/phường"
    )
    expect(page.locator("#map-areas")).to_contain_text("Khu phố Chợ Vườn Hoa")
    expect(page.locator("#map-areas")).to_contain_text(province_world.today.strftime("%d/%m/%Y"))
    alerted = VenueAlert.objects.filter(
        status=AlertStatus.PUBLISHED, ends_at__gte=timezone.now() - timedelta(days=14)
    )
    expect(page.locator("#map-venues li")).to_have_count(alerted.values("venue").distinct().count())
    if javascript:
        expect(page.locator("body")).to_have_attribute("data-map", "loaded")
        expect(page.locator("#public-map")).to_be_visible()
        # Each placed commune carries its level as a label on the map, the same as the table.
        labels = page.locator(".level-label span").all_inner_texts()
        placed = page.evaluate(
            "fetch('/api/v1/public/map').then(r => r.json()).then(d => d.features"
            ".filter(f => f.properties.layer === 'commune' && f.geometry)"
            ".map(f => [f.properties.code, f.properties.level]))"
        )
        assert sorted(int(n) for n in labels) == sorted(level for _code, level in placed)
        assert all(expected[code] == level for code, level in placed) and placed
        expect(page.locator("#public-map .leaflet-overlay-pane canvas")).to_be_visible()  # drawn
    else:
        expect(page.locator("#public-map")).to_be_hidden()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert not blocked, blocked
    screenshot(page, f"public-map{'' if javascript else '-nojs'}")
