import io

import pytest
import segno
from django.conf import settings
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from qrtrace.checkins.models import CheckIn, CheckInMethod, CheckOutMethod
from qrtrace.checkins.personal_qr import personal_token
from qrtrace.checkins.services.personal_codes import personal_code_issue
from tests import actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT, FRAMES = 640, 480, 30


def _fake_camera(text: str, path) -> None:
    """A .y4m video of a printed QR card held in front of the camera (white page, grey chroma)."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=8, border=4)
    card = Image.open(png).convert("L")
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(card, ((WIDTH - card.width) // 2, (HEIGHT - card.height) // 2))
    luma, chroma = frame.tobytes(), bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_gate_scanner_reads_a_personal_qr_from_the_camera_and_checks_in(
    live_server, launch, screenshot, tmp_path
):
    venue = actors.make_venue("Bệnh viện Đa khoa tỉnh", kind="hospital")
    staff = actors.make_official("gate_a", "venue", venue.code)
    grandmother = personal_code_issue(person=actors.make_person("Lê Thị Cụ", None))
    video = tmp_path / "card.y4m"
    _fake_camera(personal_token(grandmother), video)

    client = Client()
    client.force_login(staff)
    browser = launch(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="vi-VN")
    context.grant_permissions(["camera"], origin=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/gate/{venue.code}")

    card = page.locator("#person")
    expect(card).to_contain_text("Lê Thị Cụ", timeout=15_000)  # decoded from the video, then submitted
    expect(card).to_contain_text("Hôm nay chưa khai báo y tế")
    screenshot(page, "gate-scanned")
    card.get_by_role("button", name="Khai báo và vào").click()
    expect(page.get_by_role("status")).to_contain_text("Lê Thị Cụ đã vào")
    checkin = CheckIn.objects.get()
    assert (checkin.person, checkin.venue, checkin.staff) == (grandmother, venue, staff)
    assert checkin.method == CheckInMethod.STAFF_SCAN

    # The card is still in front of the camera: the scanner reads it once more and offers check-out.
    expect(page.locator("#person")).to_contain_text("Đang ở bên trong từ", timeout=15_000)
    page.locator("#person").get_by_role("button", name="Ra về").click()
    expect(page.get_by_role("status")).to_contain_text("Lê Thị Cụ đã ra về")
    checkin.refresh_from_db()
    assert checkin.checkout_method == CheckOutMethod.STAFF and CheckIn.objects.count() == 1

    # Someone with no smartphone and not known yet: manual entry ("khai hộ") asks where they live,
    # defaulting to the venue's commune, and the check-in keeps it. (A page with no camera: this one's
    # still sees the card and would submit it again over the form.)
    page.close()
    page = context.new_page()
    page.add_init_script("navigator.mediaDevices.getUserMedia = () => Promise.reject(new Error('none'))")
    page.goto(f"{live_server.url}/gate/{venue.code}")
    manual = page.locator("form", has_text="Khai hộ bằng số điện thoại hoặc CCCD")
    manual.get_by_role("textbox").fill("0912 345 888")
    manual.get_by_role("button", name="Tìm").click()
    entry = page.locator("form:has(button[value=enter])")
    entry.get_by_label("Họ và tên").fill("Đỗ Văn Khai")
    entry.get_by_label("Năm sinh").fill("1950")
    expect(entry.get_by_label("Xã, phường nơi cư trú")).to_have_value(str(venue.commune_id))
    screenshot(page, "gate-manual-entry")
    entry.get_by_role("button", name="Khai báo và vào").click()
    expect(page.get_by_role("status")).to_contain_text("Đỗ Văn Khai đã vào")
    entered = CheckIn.objects.select_related("person").get(person__full_name="Đỗ Văn Khai")
    assert entered.method == CheckInMethod.STAFF_ENTRY
    assert entered.person.commune_id == venue.commune_id  # a new person: their residence (not "as declared")
