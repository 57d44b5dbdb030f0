"""The officials' navigation bar: on every official page, naming who is signed in, their role and
area, the sections their role may use (accounts.permissions decides), and sign-out."""

import re

import pytest
from django.urls import reverse

from qrtrace.accounts.navigation import console_links
from tests import actors

pytestmark = pytest.mark.django_db


def _nav(client, url: str) -> str:
    html = client.get(url).content.decode()
    found = re.search(r'<nav class="console".*?</nav>', html, re.S)
    assert found, f"no navigation bar on {url}"
    return found.group(0)


def test_a_commune_official_sees_who_they_are_their_area_and_the_tracing_sections(client, commune_official):
    client.force_login(commune_official)
    nav = _nav(client, reverse("tracing:cases"))
    assert "tram_a" in nav and "Trạm Y tế xã, phường" in nav and "Phường Hạc Thành" in nav
    for url in ("venues:list", "tracing:cases", "tracing:alerts", "tracing:followup_list"):
        assert f'href="{reverse(url)}"' in nav
    assert reverse("audit:event_list") not in nav  # the province office's
    assert reverse("accounts:logout") in nav and "Đăng xuất" in nav


def test_the_province_office_also_sees_the_audit_log_and_the_unknown_residence_worklist(
    client, province_official
):
    client.force_login(province_official)
    nav = _nav(client, reverse("venues:list"))
    assert reverse("audit:event_list") in nav and reverse("tracing:unknown_residence") in nav


def test_venue_staff_see_their_gate_scanner_and_visitor_log_and_no_tracing(client):
    venue = actors.make_venue("Chợ Vườn Hoa")
    staff = actors.make_official("gate_a", "venue", venue.code)
    client.force_login(staff)
    nav = _nav(client, reverse("venues:list"))
    assert reverse("checkins:gate", args=[venue.code]) in nav
    assert reverse("checkins:visitors", args=[venue.code]) in nav
    assert "Chợ Vườn Hoa" in nav  # the area named, not only its code
    assert reverse("tracing:cases") not in nav


def test_the_current_section_is_marked_once(client, commune_official):
    client.force_login(commune_official)
    nav = _nav(client, reverse("tracing:alerts"))
    assert nav.count('aria-current="page"') == 1
    assert re.search(rf'href="{reverse("tracing:alerts")}" aria-current="page"', nav)


def test_a_citizen_page_has_no_officials_bar(client):
    assert '<nav class="console"' not in client.get(reverse("privacy:my_data")).content.decode()


def test_an_app_adds_its_section_by_registering_it(commune_official):
    from qrtrace.accounts import navigation

    navigation.register_section("test_map", order=50, links=lambda user: [("Bản đồ", "/map/")])
    try:
        assert ("Bản đồ", "/map/") in console_links(commune_official)
    finally:
        navigation._sections.pop("test_map")
