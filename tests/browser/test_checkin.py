import pytest
from playwright.sync_api import expect

from qrtrace.checkins.models import CheckIn, CheckInMethod, CheckOutMethod, Risk
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_phone_scans_declares_sees_the_confirmation_and_checks_out(
    live_server, launch, screenshot, javascript
):
    venue = actors.make_venue("Chợ Vườn Hoa")
    page = launch().new_context(**PHONE, java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/v/{venue_token(venue)}")
    expect(page.locator("h1")).to_have_text("Chợ Vườn Hoa")
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Văn A")
    page.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    page.get_by_label("Năm sinh", exact=True).fill("1985")
    page.get_by_label("Ho", exact=True).first.check()  # the submitter's own; then each family member's
    screenshot(page, f"checkin-form-{'js' if javascript else 'nojs'}")
    page.get_by_role("button", name="Khai báo và vào").click()

    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("Nguyễn Văn A")
    expect(receipt).to_contain_text("Chợ Vườn Hoa")
    expect(receipt).to_contain_text("Có triệu chứng")
    expect(receipt).to_have_class("receipt card status-red")
    screenshot(page, f"checkin-confirmation-{'js' if javascript else 'nojs'}")
    checkin = CheckIn.objects.get()
    assert (checkin.venue, checkin.person.phone, checkin.cough, checkin.risk) == (
        venue,
        "+84912345678",
        True,
        Risk.RED,
    )
    assert checkin.left_at is None

    page.get_by_role("button", name="Ra về").click()
    expect(page.locator("section.receipt")).to_contain_text("Đã ra về lúc")
    checkin.refresh_from_db()
    assert checkin.left_at is not None and checkin.checkout_method == CheckOutMethod.BUTTON


def test_a_returning_phone_checks_in_elsewhere_with_one_tap(live_server, launch, screenshot):
    market, shop = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Siêu thị Hạc Thành", kind="shop")
    page = launch().new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/v/{venue_token(market)}")
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Văn A")
    page.get_by_label("Số điện thoại", exact=True).fill("0912345678")
    page.get_by_label("Năm sinh", exact=True).fill("1985")
    page.get_by_role("button", name="Khai báo và vào").click()
    expect(page.locator("section.receipt")).to_be_visible()

    page.goto(f"{live_server.url}/v/{venue_token(shop)}")
    expect(page.get_by_role("heading", name="Khai báo với tên Nguyễn Văn A?")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_count(0)  # nothing to type again
    screenshot(page, "returning-one-tap")
    page.get_by_role("button", name="Khai báo: Nguyễn Văn A").click()
    expect(page.locator("section.receipt")).to_contain_text("Siêu thị Hạc Thành")
    assert CheckIn.objects.filter(venue=shop, person__full_name="Nguyễn Văn A").count() == 1
    assert CheckIn.objects.filter(method=CheckInMethod.SELF_SCAN).count() == 2


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_parent_checks_in_with_a_child_who_has_their_own_declaration_and_one_check_out(
    live_server, launch, screenshot, javascript
):
    venue = actors.make_venue("Chợ Vườn Hoa")
    page = launch().new_context(**PHONE, java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/v/{venue_token(venue)}")
    expect(page.get_by_label("Xã, phường nơi cư trú")).to_have_value(str(venue.commune_id))
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Văn A")
    page.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    page.get_by_label("Năm sinh", exact=True).fill("1985")
    page.get_by_text("Thêm người thân").click()
    page.get_by_label("Họ tên người thân").first.fill("Nguyễn Văn Con")
    page.get_by_label("Năm sinh người thân").first.fill("2015")
    page.locator("details.own summary").first.click()
    page.locator('input[name="member_0_fever"]').check()
    screenshot(page, f"checkin-family-form-{'js' if javascript else 'nojs'}")
    page.get_by_role("button", name="Khai báo và vào").click()

    cards = page.locator("section.receipt")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_have_class("receipt card status-green")
    expect(cards.nth(1)).to_have_class("receipt card status-red")
    checkout = page.get_by_role("button", name="Ra về")
    expect(checkout).to_have_count(1)
    expect(checkout).to_be_in_viewport()  # no scrolling two screens down for it
    screenshot(page, f"checkin-family-receipt-{'js' if javascript else 'nojs'}")
    checkout.click()
    expect(page.locator("section.receipt").nth(1)).to_contain_text("Đã ra về lúc")
    assert not CheckIn.objects.filter(left_at__isnull=True).exists()


def test_the_scan_page_names_the_restricted_areas_under_the_travel_question(live_server, launch, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from qrtrace.dashboard.models import RestrictedArea

    today = timezone.localdate()
    for name in ("Thôn 3, Phường Hạc Thành", "Khu phố 5", "Khu công nghiệp Lễ Môn", "Thôn Đông"):
        RestrictedArea.objects.create(
            name=name, reason="Ổ dịch", starts_on=today, ends_on=today + timedelta(days=9)
        )
    venue = actors.make_venue("Chợ Vườn Hoa")
    page = launch().new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/v/{venue_token(venue)}")
    note = page.locator("small.note")
    expect(note).to_contain_text("Vùng đang phong tỏa, cách ly: Thôn 3, Phường Hạc Thành (đến")
    expect(note).to_contain_text("và 1 vùng khác.")
    note.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    screenshot(page, "checkin-form-restricted-areas")
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Văn A")
    page.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    page.get_by_label("Năm sinh", exact=True).fill("1985")
    page.get_by_label("Đến từ vùng đang phong tỏa, giãn cách trong 14 ngày qua", exact=True).first.check()
    page.get_by_role("button", name="Khai báo và vào").click()
    expect(page.locator("section.receipt")).to_have_class("receipt card status-yellow")
    assert CheckIn.objects.get().travel_from_restricted
