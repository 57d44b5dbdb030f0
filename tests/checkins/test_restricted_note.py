"""Issue 15: the scan page names the restricted areas in force today under the "came from an area
under restriction" question, from what the apps above register (checkins.hooks), without a query
per scan; a "yes" is an exposure officials see like contact with a case."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from qrtrace.checkins import hooks
from qrtrace.checkins.forms import CheckInForm
from qrtrace.checkins.models import CheckIn, Risk
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import declaration_form
from .test_scan_page import _page_weight

pytestmark = pytest.mark.django_db

NOTE = re.compile(r'<small class="note">([^<]*)</small>')


class Listed(list):
    """The areas a provider answers (the test's to fill), and the days it was asked for."""

    asked: list


@pytest.fixture
def areas(monkeypatch):
    listed = Listed()
    listed.asked = []

    def provider(on):
        listed.asked.append(on)
        return list(listed)

    monkeypatch.setattr(hooks, "restricted_area_providers", [provider])
    return listed


def _note(html: str) -> list[str]:
    return NOTE.findall(html)


def test_no_area_in_force_no_note(client, scan_url, areas):
    assert _note(client.get(scan_url).content.decode()) == []
    assert areas.asked == [timezone.localdate()]


def test_the_new_phones_page_names_the_areas_in_force_with_their_end_dates(client, scan_url, areas):
    areas += [
        {"name": "Phường Hạc Thành", "ends_on": dt.date(2026, 12, 12)},
        {"name": "Thôn 3", "ends_on": None},
    ]
    for _ in range(2):  # cast, then filled from the mold
        page = client.get(scan_url).content.decode()
        assert _note(page) == ["Vùng đang phong tỏa, cách ly: Phường Hạc Thành (đến 12/12/2026), Thôn 3."]
    # Right under the travel question (after its label, which stays the question alone).
    assert re.search(r'name="travel_from_restricted"[^>]*> [^<]+</label><small class="note">', page)


def test_the_note_is_capped_and_long_names_are_cut(client, scan_url, areas):
    areas += [{"name": f"Khu {'rất ' * 40}dài {i}", "ends_on": None} for i in range(7)]
    page = client.get(scan_url).content.decode()
    (note,) = _note(page)
    assert note.endswith("và 4 vùng khác.") and note.count("Khu") == 3 and len(note) < 250
    assert _page_weight(page) < 30 * 1024


def test_the_note_in_english(client, scan_url, areas):
    areas += [{"name": f"Area {i}", "ends_on": dt.date(2026, 12, 1)} for i in range(4)]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    (note,) = _note(client.get(scan_url).content.decode())
    assert note == (
        "Areas under restriction now: Area 0 (until 01/12/2026), Area 1 (until 01/12/2026), "
        "Area 2 (until 01/12/2026) and 1 other area."
    )


def test_an_area_name_is_escaped(client, scan_url, areas):
    areas.append({"name": "<b>Thôn & Xóm</b>", "ends_on": None})
    page = client.get(scan_url).content.decode()
    assert "<b>Thôn" not in page and "&lt;b&gt;Thôn &amp; Xóm&lt;/b&gt;" in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_molded_page_with_a_note_is_the_templates_own(client, areas, language):
    areas.append({"name": 'Thôn "3" <Đông>', "ends_on": dt.date(2026, 12, 12)})
    venue = actors.make_venue("Chợ Vườn Hoa")
    path = f"/v/{venue_token(venue)}"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    with translation.override(language):
        from qrtrace.checkins.declaration import restricted_note

        context = {
            "venue": venue,
            "person": None,
            "limited": False,
            "restricted_note": restricted_note(on=timezone.localdate()),
        }
        context |= {"form": CheckInForm(initial={"commune": str(venue.commune_id)})}
        context["retention_days"] = settings.QRTRACE_RETENTION_DAYS
        theirs = render_to_string("checkins/scan.html", context, request=RequestFactory().get(path))
    for _ in range(2):
        assert csrf.sub("", client.get(path).content.decode()) == csrf.sub("", theirs)


def test_a_returning_phone_and_a_form_with_errors_show_the_note_too(client, scan_url, other_venue, areas):
    client.post(scan_url, declaration_form())
    areas.append({"name": "Thôn 3", "ends_on": None})
    elsewhere = f"/v/{venue_token(other_venue)}"
    for _ in range(2):
        page = client.get(elsewhere).content.decode()
        assert "Nguyễn Văn A" in page and _note(page) == ["Vùng đang phong tỏa, cách ly: Thôn 3."]
    response = client.post(f"{scan_url}?someone_else=1", declaration_form(phone="12345"))
    assert response.status_code == 400 and _note(response.content.decode()) == [
        "Vùng đang phong tỏa, cách ly: Thôn 3."
    ]


def test_a_yes_is_a_possible_exposure_the_officials_see_like_contact_with_a_case(
    client, scan_url, venue, commune_official
):
    client.post(scan_url, declaration_form(travel_from_restricted="on"))
    checkin = CheckIn.objects.get()
    assert checkin.travel_from_restricted and checkin.risk == Risk.YELLOW
    client.force_login(commune_official)
    log = client.get(f"/visitors/{venue.code}").content.decode()
    assert 'class="status-yellow"' in log and "Có yếu tố dịch tễ" in log


def test_today_is_the_local_date_and_turns_at_local_midnight(monkeypatch):
    from qrtrace.checkins.declaration import today

    midnight = timezone.make_aware(dt.datetime(2026, 12, 2, 0, 0))  # local (Asia/Ho_Chi_Minh)
    for moment, day in (
        (midnight - dt.timedelta(microseconds=1), dt.date(2026, 12, 1)),
        (midnight, dt.date(2026, 12, 2)),
        (midnight + dt.timedelta(hours=23, minutes=59), dt.date(2026, 12, 2)),
        (midnight - dt.timedelta(hours=7, seconds=1), dt.date(2026, 12, 1)),  # 16:59:59 UTC the day before
    ):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment.astimezone(dt.UTC))
        assert today() == day == timezone.localdate(moment)
