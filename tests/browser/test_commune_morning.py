"""A commune health station's morning, in chromium on a desktop and on a 390×844 phone: sign in, open
the case from the navigation bar, dismiss a contact, review and send the exposure SMS (F1 first, the
dismissed one left out; the file backend shows exactly who got which text), hand an F1 over for
follow-up and find them on "F1 to follow in my area"."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from qrtrace.notifications.services import messages_deliver
from qrtrace.tracing.models import Case
from qrtrace.tracing.notify import message_body
from qrtrace.tracing.services import case_trace
from tests import actors
from tests.tracing.conftest import visit
from tests.tracing.reference import T0

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}


@pytest.fixture
def outbox(settings, tmp_path):
    settings.QRTRACE_NOTIFY_BACKEND = "file"
    settings.QRTRACE_NOTIFY_FILE = tmp_path / "sms.log"

    def sent() -> list[tuple[str, str]]:
        if not settings.QRTRACE_NOTIFY_FILE.exists():
            return []
        lines = settings.QRTRACE_NOTIFY_FILE.read_text().splitlines()
        return [(line["to"], line["body"]) for line in map(json.loads, lines)]

    return sent


def _night_before():
    """A case traced overnight: two F1 at the market, one of whom then met three F2 at a shop."""
    market, shop = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Cửa hàng Minh Anh", kind="shop")
    f0 = actors.make_person("Lê Văn Ca", "+84912000001", commune_id=actors.COMMUNE_A)
    f1 = [
        actors.make_person(name, f"+8491200001{i}", commune_id=actors.COMMUNE_A)
        for i, name in enumerate(["Nguyễn Thị Hoa", "Trần Văn Bảo"])
    ]
    f2 = [
        actors.make_person(f"Phạm Văn F2 {i}", f"+8491200002{i}", commune_id=actors.COMMUNE_A)
        for i in range(3)
    ]
    visit(f0, market, 20)
    for person in f1:
        visit(person, market, 20.5)
    visit(f1[0], shop, 30)
    for person in f2:
        visit(person, shop, 30.2)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=case, actor=None)
    return case, f1, f2


def _menu(nav, device: str) -> None:
    """On a phone the bar is one line, "☰ Menu · <this page>", opened with a tap; a desktop shows every
    link at once, in one or two lines."""
    summary = nav.locator("summary")
    if device == "desktop":
        expect(summary).to_be_hidden()
        expect(nav.get_by_role("link").first).to_be_visible()
        assert nav.bounding_box()["height"] < 130
        return
    expect(nav.get_by_role("link").first).to_be_hidden()
    assert nav.bounding_box()["height"] < 60
    summary.click()
    expect(nav.get_by_role("link").first).to_be_visible()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_commune_officials_morning(live_server, launch, screenshot, outbox, device):
    _case, f1, f2 = _night_before()
    actors.make_official("tram_a", "commune", actors.COMMUNE_A)
    page = launch().new_context(**(DESKTOP if device == "desktop" else PHONE)).new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("tram_a")
    page.get_by_label("Mật khẩu").fill("correct horse battery staple")
    page.get_by_role("button", name="Đăng nhập").click()
    nav = page.locator("nav.console")
    expect(nav).to_contain_text("tram_a")
    expect(nav).to_contain_text("Phường Hạc Thành")
    screenshot(page, f"morning-{device}-1-home")
    _menu(nav, device)
    screenshot(page, f"morning-{device}-1-menu")

    nav.get_by_role("link", name="Ca bệnh").click()
    page.locator("tr", has_text="Lê Văn Ca").get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("Lê Văn Ca")
    screenshot(page, f"morning-{device}-2-case")

    # Trần Văn Bảo was a health worker in protective equipment: dismissed before anyone is messaged.
    row = page.locator("tr", has_text="Trần Văn Bảo")
    row.get_by_label("Lý do").fill("Nhân viên y tế có bảo hộ")
    row.get_by_role("button", name="Loại").click()
    expect(page.locator("tr", has_text="Trần Văn Bảo")).to_contain_text("Nhân viên y tế có bảo hộ")

    page.get_by_role("link", name="Xem lại và gửi tin nhắn").click()
    previews = page.locator("section.preview")
    expect(previews.nth(0)).to_contain_text("F1: 1 người")
    expect(previews.nth(1)).to_contain_text("F2: 3 người")
    screenshot(page, f"morning-{device}-3-review")
    page.get_by_role("button", name="Gửi cho 4 người").click()
    expect(page.get_by_role("status")).to_contain_text("1 F1")

    messages_deliver()
    assert outbox() == [
        (f1[0].phone, message_body("F1")),
        *[(person.phone, message_body("F2")) for person in f2],
    ]

    page.locator("tr", has_text="Nguyễn Thị Hoa").first.get_by_label("Chọn").check()
    page.get_by_role("button", name="Chuyển những người đã chọn sang theo dõi").click()
    _menu(nav, device)
    nav.get_by_role("link", name="F1 cần theo dõi").click()
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Hoa")
    expect(page.locator("main")).not_to_contain_text("Trần Văn Bảo")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, f"morning-{device}-4-followup")
