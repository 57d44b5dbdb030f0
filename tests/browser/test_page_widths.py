"""No page of the site is wider than a 390 px phone.

Every page the authorisation matrix lists (tests/security/matrix.py: GET, not the API) is opened in
chromium at 390×844 as each actor the matrix lets see it, on the matrix's own test world; the page's
`document.documentElement.scrollWidth` must not exceed the viewport. New apps' pages join the walk as
soon as they join the matrix. One browser; one context (cookies) per actor, reused for its pages.
Downloads (PDF, CSV, images) are not pages and are passed over.
"""

import os
import time

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from qrtrace.checkins.views import _DEVICE_SALT, DEVICE_COOKIE
from qrtrace.privacy import views as privacy_views
from tests.security.conftest import _build
from tests.security.matrix import ACTORS, MATRIX
from tests.security.test_matrix import _url

from .conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = PHONE["viewport"]["width"]


def _pages(world) -> dict[str, list[str]]:
    """actor → the URLs of the pages the matrix lets them GET."""
    pages: dict[str, list[str]] = {actor: [] for actor in ACTORS}
    for entry in MATRIX:
        if entry.is_api or entry.http_method != "GET":
            continue
        url = _url(entry, world)
        for actor, answer in entry.expected.items():
            if answer == "ok" and url not in pages[actor]:
                pages[actor].append(url)
    return pages


def _signed_cookie(name: str, value: str, salt: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(name, value, salt=salt)
    return response.cookies[name].value


def _cookies(actor: str, world, base: str) -> list[dict]:
    if actor == "citizen":
        # The device of a person who checked in, who has also verified their phone on "my data".
        values = {
            DEVICE_COOKIE: _signed_cookie(DEVICE_COOKIE, world.device, _DEVICE_SALT),
            privacy_views.COOKIE: _signed_cookie(
                privacy_views.COOKIE, str(world.checkin.person_id), privacy_views._COOKIE_SALT
            ),
        }
    elif actor in world.users:
        client = Client()
        client.force_login(world.users[actor])
        values = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    else:
        values = {}
    return [{"name": name, "value": value, "url": base} for name, value in values.items()]


def test_no_page_the_matrix_lists_is_wider_than_a_390_px_phone(live_server, launch):
    world = _build()
    pages = _pages(world)
    pages["citizen"].append(reverse("privacy:records"))  # the verified "my data" page
    assert sum(map(len, pages.values())) > 40, "the walk found too few pages"
    browser = launch()
    too_wide, walked, started = [], 0, time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for actor, urls in pages.items():
        context = browser.new_context(**PHONE)
        context.add_cookies(_cookies(actor, world, live_server.url))
        page = context.new_page()
        for url in urls:
            try:
                response = page.goto(live_server.url + url)
            except Exception as error:  # a download starts instead of a page
                if "Download is starting" not in str(error):
                    raise
                continue
            if response is None or not response.headers.get("content-type", "").startswith("text/html"):
                continue
            walked += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            shot = url.strip("/").replace("/", "_").replace("?", "_") or "home"
            if os.environ.get("QRTRACE_SCREENSHOT_ALL"):  # for a person to look at every page
                page.screenshot(path=str(SCREENSHOTS / f"phone-{actor}-{shot}.png"), full_page=True)
            if width > WIDTH:
                too_wide.append(f"{url} as {actor}: {width} px")
                page.screenshot(path=str(SCREENSHOTS / f"too-wide-{actor}-{shot}.png"), full_page=True)
        context.close()
    elapsed = time.monotonic() - started
    print(f"{walked} pages in {elapsed:.1f} s")
    assert too_wide == [], f"wider than {WIDTH} px ({walked} pages walked): {too_wide}"
