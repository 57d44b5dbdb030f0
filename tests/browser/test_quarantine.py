"""The quarantine lifecycle in a browser, on 390 px phones: F1 of a case → bulk order → SMS (file
backend) with the self-report link → the person reports without JavaScript → the station records a
check and the negative test of the policy day → release → the certificate's QR, decoded by zxing-cpp,
opens the verification page saying genuine."""

import re
from datetime import timedelta

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from qrtrace.notifications.services import messages_deliver
from qrtrace.quarantine.models import OrderStatus, QuarantineOrder
from qrtrace.tracing.models import Case, Exposure, Level
from tests import actors
from tests.quarantine.policies import ensure_ministry_policies

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(**PHONE)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_an_f1_is_ordered_reports_from_a_phone_is_released_and_the_certificate_verifies(
    live_server, launch, screenshot, settings, tmp_path
):
    ensure_ministry_policies()
    settings.PUBLIC_BASE_URL = live_server.url
    settings.QRTRACE_NOTIFY_BACKEND = "file"
    settings.QRTRACE_NOTIFY_FILE = tmp_path / "sms.log"
    station = actors.make_official("tram_a", "commune", actors.COMMUNE_A)
    source = actors.make_person("Ca Bệnh", "+84912300000", commune_id=actors.COMMUNE_A)
    contact = actors.make_person("Trần Thị Lan", "+84912300001", commune_id=actors.COMMUNE_A)
    case = Case.objects.create(person=source, confirmed_at=timezone.now() - timedelta(hours=5))
    Exposure.objects.create(case=case, person=contact, level=Level.F1, source_person=source)
    browser = launch()

    staff = _signed_in(browser, live_server, station)
    staff.goto(f"{live_server.url}/tracing/cases/{case.pk}/")
    staff.get_by_role("link", name="Cách ly các F1").click()
    staff.get_by_label("Nơi cách ly").select_option("home")
    staff.get_by_label("Tiêm chủng").select_option("full")
    staff.get_by_label("Bắt đầu").fill((timezone.localdate() - timedelta(days=5)).isoformat())
    screenshot(staff, "quarantine-bulk-order")
    staff.get_by_role("button", name="Ra quyết định cho tất cả").click()
    expect(staff.locator("main")).to_contain_text("Đã ra 1 quyết định.")
    order = QuarantineOrder.objects.get(person=contact)

    assert messages_deliver() == 1
    sms = settings.QRTRACE_NOTIFY_FILE.read_text(encoding="utf-8")
    link = re.search(r"(http://\S+/q/\d+/\w+)", sms).group(1)
    assert "cách ly tại nhà" in sms

    citizen = browser.new_context(**PHONE, java_script_enabled=False).new_page()
    citizen.goto(link)
    expect(citizen.locator("h1")).to_have_text("Khai báo sức khoẻ hằng ngày")
    citizen.get_by_label("Nhiệt độ (°C)").fill("36,7")
    citizen.get_by_label("SpO2 (%)").fill("98")
    screenshot(citizen, "quarantine-self-report")
    citizen.get_by_role("button", name="Gửi").click()
    expect(citizen.get_by_role("status")).to_contain_text("Cảm ơn bạn")
    assert order.checks.get().self_reported

    staff.goto(f"{live_server.url}/quarantine/communes/{actors.COMMUNE_A}/worklist")
    expect(staff.locator("article")).to_contain_text("Trần Thị Lan")
    screenshot(staff, "quarantine-worklist")
    staff.get_by_role("link", name="Trần Thị Lan").click()
    staff.get_by_label("Lần kiểm tra").select_option("evening")
    staff.get_by_label("Nhiệt độ (°C)").fill("36.5")
    staff.get_by_role("button", name="Lưu").first.click()
    expect(staff.get_by_role("status")).to_contain_text("Đã lưu")
    staff.get_by_text("Ghi kết quả xét nghiệm").click()
    staff.locator("form[action$='/result'] select[name=result]").select_option("negative")
    staff.locator("form[action$='/result'] button").click()
    expect(staff.locator("main")).to_contain_text("Âm tính")
    screenshot(staff, "quarantine-order")
    staff.get_by_role("button", name="Hoàn thành và cấp giấy xác nhận").click()
    expect(
        staff.get_by_role("link", name=re.compile("Giấy xác nhận hoàn thành cách ly GXN-"))
    ).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED

    pdf = staff.request.get(f"{live_server.url}/quarantine/orders/{order.pk}/certificate.pdf").body()
    document = pypdfium2.PdfDocument(pdf)
    [barcode] = zxingcpp.read_barcodes(
        document[0].render(scale=2).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode
    )
    document.close()
    citizen.goto(barcode.text)
    expect(citizen.locator(".genuine")).to_have_text("Hợp lệ")
    expect(citizen.locator("main")).to_contain_text("T.T.L.")
    expect(citizen.locator("main")).not_to_contain_text("Trần Thị Lan")
    screenshot(citizen, "quarantine-verify")
