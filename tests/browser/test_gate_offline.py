"""The gate with no network: a personal card from the camera and a manual entry are queued on the
device, shown as waiting, and synced with their original times when the network returns; syncing again
adds nothing."""

import time

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from qrtrace.accounts.models import ApiToken
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.personal_qr import personal_token
from qrtrace.checkins.services.personal_codes import personal_code_issue
from qrtrace.people.models import Person
from tests import actors

from .test_gate_scanner import _fake_camera

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def service_worker_network(monkeypatch):
    """Let Playwright see (and cut off) the service worker's own requests, so that "offline" holds for
    it too (microsoft/playwright#2311). Must be set before the browser starts: list it before `launch`."""
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")


def _cut_off(route):
    route.abort("internetdisconnected")


def test_the_gate_queues_scans_and_entries_offline_and_syncs_them_once(
    service_worker_network, live_server, launch, screenshot, tmp_path
):
    venue = actors.make_venue("Trạm Y tế phường Hạc Thành", kind="hospital")
    staff = actors.make_official("gate_off", "venue", venue.code)
    grandmother = personal_code_issue(person=actors.make_person("Lê Thị Cụ", None))
    video = tmp_path / "card.y4m"
    _fake_camera(personal_token(grandmother), video)
    client = Client()
    client.force_login(staff)
    browser = launch("--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN", service_workers="allow"
    )
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
    gate = f"{live_server.url}/gate/{venue.code}"

    # Online, once: enrol the device (no camera yet, so nothing is scanned).
    page.goto(gate)
    page.get_by_role("button", name="Đăng ký máy này").click()
    expect(page.locator("#offline li")).to_have_count(1)
    assert ApiToken.objects.filter(user=staff, name=f"gate:{venue.code}").count() == 1
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    page.reload()  # now under the service worker, which keeps the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The network drops. The page comes back from the device, and the camera is allowed.
    context.set_offline(True)
    context.route("**/*", _cut_off)
    context.grant_permissions(["camera"], origin=live_server.url)
    before = time.time()
    page.reload()
    status = page.locator("#offline-status")
    expect(status).to_contain_text("Mất mạng")
    expect(status).to_contain_text("1 lượt đang chờ gửi", timeout=15_000)  # the card, from the camera
    page.wait_for_timeout(2_500)  # still in view: one presentation, queued once
    expect(status).to_contain_text("1 lượt đang chờ gửi")

    entry = page.locator("#offline-entry")
    entry.get_by_label("Họ và tên").fill("Phạm Văn Nông")
    entry.get_by_label("Số điện thoại").fill("0912 345 999")
    entry.get_by_label("Năm sinh").fill("1948")
    residence = entry.get_by_label("Xã, phường nơi cư trú")
    expect(residence).to_have_value(str(venue.commune_id))  # the venue's commune, as online
    residence.select_option(str(actors.COMMUNE_B))
    entry.get_by_label("Ho", exact=True).check()
    entry.get_by_role("button", name="Lưu lượt vào").click()
    expect(status).to_contain_text("2 lượt đang chờ gửi")
    screenshot(page, "gate-offline-waiting")
    assert CheckIn.objects.count() == 0
    queued_by = time.time()
    time.sleep(2)  # the visits happened offline, well before they reach the server

    # The network returns: the queue is sent, oldest first, and empties.
    context.unroute("**/*", _cut_off)
    context.set_offline(False)
    expect(status).to_contain_text("Mọi lượt lưu trên máy này đã được gửi", timeout=15_000)
    screenshot(page, "gate-offline-synced")
    checkins = {c.person.full_name: c for c in CheckIn.objects.select_related("person")}
    assert sorted(checkins) == ["Lê Thị Cụ", "Phạm Văn Nông"]
    for checkin in checkins.values():
        assert before - 1 <= checkin.entered_at.timestamp() <= queued_by + 1
        assert checkin.created_at.timestamp() - checkin.entered_at.timestamp() >= 2
        assert (checkin.venue, checkin.staff) == (venue, staff)
    assert checkins["Phạm Văn Nông"].cough is True
    farmer = Person.objects.get(full_name="Phạm Văn Nông")
    assert farmer.phone == "+84912345999"
    assert farmer.commune_id == actors.COMMUNE_B  # the residence chosen offline: a new person's own

    # Reloading and syncing again adds nothing.
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1500)
    assert CheckIn.objects.count() == 2
