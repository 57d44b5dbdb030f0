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


def _log_in(context, staff, live_server) -> None:
    client = Client()
    client.force_login(staff)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _card_scanned_at_the_gate(live_server, launch, tmp_path):
    """A hospital gate's page, its staff logged in, a grandmother's card held in front of the camera
    and read from it: (page, venue, staff, grandmother)."""
    venue = actors.make_venue("Bệnh viện Đa khoa tỉnh", kind="hospital")
    staff = actors.make_official("gate_a", "venue", venue.code)
    grandmother = personal_code_issue(person=actors.make_person("Lê Thị Cụ", None))
    video = tmp_path / "card.y4m"
    _fake_camera(personal_token(grandmother), video)
    browser = launch(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="vi-VN")
    context.grant_permissions(["camera"], origin=live_server.url)
    _log_in(context, staff, live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/gate/{venue.code}")
    expect(page.locator("#person")).to_contain_text("Lê Thị Cụ", timeout=15_000)  # decoded, then submitted
    return page, venue, staff, grandmother


# A camera the test moves cards in front of: getUserMedia streams a canvas showing the card (a PNG data
# URL) that sessionStorage["fake-card"] names, or nothing, and keeps it over the page's reloads.
_HANDHELD_CAMERA = """
(() => {
  const canvas = document.createElement("canvas");
  canvas.width = 640; canvas.height = 480;
  const context = canvas.getContext("2d");
  let shown = null, image = null;
  setInterval(() => {
    const wanted = sessionStorage.getItem("fake-card");
    if (wanted !== shown) {
      shown = wanted; image = null;
      if (wanted) {
        const next = new Image();
        next.onload = () => { if (shown === wanted) image = next; };
        next.src = wanted;
      }
    }
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (image) context.drawImage(image, (canvas.width - image.width) / 2, (canvas.height - image.height) / 2);
  }, 66);
  navigator.mediaDevices.getUserMedia = () => Promise.resolve(canvas.captureStream(15));
})();
"""


def _card_image(text: str) -> str:
    return segno.make(text, error="m").png_data_uri(scale=8, border=4)


def _manual_entry(page, phone: str, name: str, born: str):
    """Look up a phone nobody has yet, then type the new person's name and year: the entry form."""
    manual = page.locator("form", has_text="Khai hộ bằng số điện thoại hoặc CCCD")
    manual.get_by_role("textbox").fill(phone)
    manual.get_by_role("button", name="Tìm").click()
    entry = page.locator("form:has(button[value=enter])")
    entry.get_by_label("Họ và tên").fill(name)
    entry.get_by_label("Năm sinh").fill(born)
    return entry


def test_the_gate_scanner_reads_a_personal_qr_from_the_camera_and_checks_in(
    live_server, launch, screenshot, tmp_path
):
    page, venue, staff, grandmother = _card_scanned_at_the_gate(live_server, launch, tmp_path)
    card = page.locator("#person")
    expect(card).to_contain_text("Hôm nay chưa khai báo y tế")
    screenshot(page, "gate-scanned")
    card.get_by_role("button", name="Khai báo và vào").click()
    expect(page.get_by_role("status")).to_contain_text("Lê Thị Cụ đã vào")
    checkin = CheckIn.objects.get()
    assert (checkin.person, checkin.venue, checkin.staff) == (grandmother, venue, staff)
    assert checkin.method == CheckInMethod.STAFF_SCAN

    # The card is still in front of the camera: ignored, the confirmation stays. To check her out the
    # worker asks for the card to be read again.
    again = page.locator("#camera-again")
    expect(again).to_be_visible()
    again.get_by_role("button", name="Đọc lại thẻ này").click()
    expect(page.locator("#person")).to_contain_text("Đang ở bên trong từ", timeout=15_000)
    page.locator("#person").get_by_role("button", name="Ra về").click()
    expect(page.get_by_role("status")).to_contain_text("Lê Thị Cụ đã ra về")
    checkin.refresh_from_db()
    assert checkin.checkout_method == CheckOutMethod.STAFF and CheckIn.objects.count() == 1

    # Someone with no smartphone and not known yet: manual entry ("khai hộ") asks where they live,
    # defaulting to the venue's commune, and the check-in keeps it. The card, still in view, is not read
    # again, and the camera waits while the entry is typed.
    expect(page.locator("#person")).to_have_count(0)
    entry = _manual_entry(page, "0912 345 888", "Đỗ Văn Khai", "1950")
    expect(entry.get_by_label("Xã, phường nơi cư trú")).to_have_value(str(venue.commune_id))
    screenshot(page, "gate-manual-entry")
    entry.get_by_role("button", name="Khai báo và vào").click()
    expect(page.get_by_role("status")).to_contain_text("Đỗ Văn Khai đã vào")
    entered = CheckIn.objects.select_related("person").get(person__full_name="Đỗ Văn Khai")
    assert entered.method == CheckInMethod.STAFF_ENTRY
    assert entered.person.commune_id == venue.commune_id  # a new person: their residence (not "as declared")


def test_a_card_left_in_view_does_not_replace_a_manual_entry_being_typed(
    live_server, launch, screenshot, tmp_path
):
    page = _card_scanned_at_the_gate(live_server, launch, tmp_path)[0]
    # Her neighbour has no smartphone: the staff member looks him up by phone, the card still in view.
    entry = _manual_entry(page, "0912 345 777", "Trần Văn Hàng Xóm", "1949")
    expect(page.locator("#camera")).to_be_visible()  # the camera runs on this page too
    page.wait_for_timeout(2_000)  # ten frames' time: the card would have been read and submitted by now
    expect(entry.get_by_label("Họ và tên")).to_have_value("Trần Văn Hàng Xóm")
    expect(entry.get_by_label("Năm sinh")).to_have_value("1949")
    expect(page.locator("#person")).to_have_count(0)
    paused = page.locator("#camera-paused")
    expect(paused).to_be_visible()  # and says that it waits
    screenshot(page, "gate-manual-entry-camera-paused")

    # Only when asked does the camera read the card again (and the typed form gives way to it).
    paused.get_by_role("button").click()
    expect(page.locator("#person")).to_contain_text("Lê Thị Cụ", timeout=15_000)
    assert not CheckIn.objects.exists()


def test_one_presentation_of_a_card_is_one_action_and_the_next_card_is_read_at_once(
    live_server, launch, screenshot
):
    venue = actors.make_venue("Chợ Đầm", kind="market")
    staff = actors.make_official("gate_b", "venue", venue.code)
    grandmother = personal_code_issue(person=actors.make_person("Lê Thị Cụ", None))
    grandson = personal_code_issue(person=actors.make_person("Lê Văn Cháu", None))
    context = launch().new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    context.add_init_script(_HANDHELD_CAMERA)
    _log_in(context, staff, live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/gate/{venue.code}")

    def show(grant=None):
        page.evaluate(
            "card => card ? sessionStorage.setItem('fake-card', card)"
            " : sessionStorage.removeItem('fake-card')",
            _card_image(personal_token(grant)) if grant else None,
        )

    show(grandmother)
    person = page.locator("#person")
    expect(person).to_contain_text("Lê Thị Cụ", timeout=15_000)
    person.get_by_role("button", name="Khai báo và vào").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Lê Thị Cụ đã vào")

    # Her card stays in front of the camera: nothing happens, the confirmation stays readable.
    page.wait_for_timeout(3_000)
    expect(status).to_contain_text("Lê Thị Cụ đã vào")
    expect(person).to_have_count(0)
    screenshot(page, "gate-card-left-in-view")
    assert CheckIn.objects.count() == 1 and CheckIn.objects.get().left_at is None

    # Her grandson's card, shown next, is read at once.
    show(grandson)
    expect(person).to_contain_text("Lê Văn Cháu", timeout=3_000)
    person.get_by_role("button", name="Khai báo và vào").click()
    expect(status).to_contain_text("Lê Văn Cháu đã vào")

    # Her card taken away and shown again: read again, offering her check-out.
    show(None)
    page.wait_for_timeout(2_000)
    show(grandmother)
    expect(person).to_contain_text("Đang ở bên trong từ", timeout=5_000)
    expect(person).to_contain_text("Lê Thị Cụ")
    assert CheckIn.objects.count() == 2
