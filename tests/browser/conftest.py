"""Playwright (Python) driving Debian's chromium against pytest-django's live server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# An English system language on purpose: many phones here run one, and pages must still be Vietnamese.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-US"}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def launch(monkeypatch) -> Iterator:
    """launch(*extra_args) → a headless chromium; all are closed after the test."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes beside it
    # are still synchronous, so Django's async-safety guard would refuse them. Only for this test:
    # the variable must never reach other processes (`check --deploy` rightly refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browsers = []

        def start(*extra: str):
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=ARGS + list(extra)
            )
            browsers.append(browser)
            return browser

        yield start
        for browser in browsers:
            browser.close()
        # The ORM calls made beside Playwright's event loop ran in its greenlet's context and so got
        # their own connection; close it here, or PostgreSQL refuses to drop the test database.
        connections.close_all()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
