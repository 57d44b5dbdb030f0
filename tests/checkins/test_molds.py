"""Pages filled into a mold rendered once per language (the first scan page, an open check-in's
receipt) are byte for byte the pages their templates write."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils import translation

from qrtrace.checkins.forms import CheckInForm, DeclarationForm
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.selectors import receipt_lines
from qrtrace.people.models import Person
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _templates_page(path: str, venue, language: str) -> str:
    """The page as Django's template engine renders it for this request, widget by widget."""
    request = RequestFactory().get(path)
    with translation.override(language):
        form = CheckInForm(initial={"commune": str(venue.commune_id)})
        context = {"venue": venue, "form": form, "person": None, "limited": False}
        context["retention_days"] = settings.QRTRACE_RETENTION_DAYS
        return render_to_string("checkins/scan.html", context, request=request)


def _without_tokens(html: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value="…"', html)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("name", "address", "query"),
    [
        ("Chợ Vườn Hoa", "1 Lê Lợi", ""),
        ('Quán "Bà Ba" <Chợ> & Co\'s', "", "?someone_else=1&x=<b>\"'"),
    ],
    ids=["plain", "to-escape"],
)
def test_the_molded_page_is_byte_for_byte_the_templates_own(client, language, name, address, query):
    venue = actors.make_venue(name, address=address)
    path = f"/v/{venue_token(venue)}{query}"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for _ in range(2):  # the first request casts the mold, the second is filled from it
        molded = _without_tokens(client.get(path).content.decode())
        theirs = _without_tokens(_templates_page(path, venue, language))
        assert molded == theirs
        assert parse_html(molded) == parse_html(theirs)
    assert "<b>" not in molded and "<Chợ>" not in molded  # escaped as the template escapes them


def test_each_venue_s_form_defaults_to_its_own_commune_from_its_communes_mold(client):
    here, there = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Chợ Quảng Phú", actors.COMMUNE_B)
    for venue, commune in ((here, actors.COMMUNE_A), (there, actors.COMMUNE_B), (here, actors.COMMUNE_A)):
        page = client.get(f"/v/{venue_token(venue)}").content.decode()
        assert re.findall(r'<option value="(\d*)" selected>', page) == [str(commune)]


def test_each_phone_gets_its_own_csrf_token_in_both_forms_and_as_a_cookie(client, venue, scan_url):
    pages = [client.get(scan_url) for _ in range(2)]
    tokens = [CSRF.findall(page.content.decode()) for page in pages]
    assert [len(found) for found in tokens] == [2, 2]  # the language switch and the check-in form
    assert tokens[0] != tokens[1] and pages[0].cookies[settings.CSRF_COOKIE_NAME].value


def test_a_page_with_a_message_waiting_is_rendered_by_its_template(client, scan_url):
    storage, response = CookieStorage(RequestFactory().get("/")), HttpResponse()
    storage.add(messages.INFO, "Ngôn ngữ đã được đổi")
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    assert "Ngôn ngữ đã được đổi" in client.get(scan_url).content.decode()


def test_the_molded_receipt_that_asks_to_prove_the_number_is_byte_for_byte_the_templates_own(client):
    venue = actors.make_venue("Chợ Vườn Hoa")
    actors.make_person("Nguyễn Văn A", "+84912345678")  # known: this phone is not remembered as him
    receipt = client.post(f"/v/{venue_token(venue)}", declaration_form())["Location"]
    assert receipt.endswith("?prove=1")
    ref = receipt.removeprefix("/c/").removesuffix("?prove=1")
    for _ in range(2):  # cast, then filled
        molded = _without_tokens(client.get(receipt).content.decode())
        lines = receipt_lines(checkin_ids=list(CheckIn.objects.values_list("pk", flat=True)))
        context = {"checkins": lines, "ref": ref, "prove": True}
        theirs = render_to_string("checkins/receipt.html", context, request=RequestFactory().get(receipt))
        assert molded == _without_tokens(theirs)
    assert 'href="/my-data"' in molded


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("members", [0, 2], ids=["alone", "family"])
def test_the_molded_receipt_is_byte_for_byte_the_templates_own(client, language, members):
    venue = actors.make_venue('Quán "Bà Ba" <Chợ> & Co\'s')
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    family = {"member_0_name": "Nguyễn <Thị> Con", "member_0_year": "2015"} if members else {}
    family |= {"member_1_name": "Nguyễn Văn Ông", "member_1_year": "1948"} if members else {}
    posted = client.post(f"/v/{venue_token(venue)}", declaration_form(cough="on", **family))
    receipt = posted["Location"]
    ref = receipt.removeprefix("/c/")
    for _ in range(2):  # cast, then filled
        molded = _without_tokens(client.get(receipt).content.decode())
        with translation.override(language):
            lines = receipt_lines(checkin_ids=list(CheckIn.objects.values_list("pk", flat=True)))
            context = {"checkins": lines, "ref": ref}
            theirs = render_to_string("checkins/receipt.html", context, request=RequestFactory().get(receipt))
        assert molded == _without_tokens(theirs)
    # The submitter's cough is theirs alone: each family member declared nothing (issue 13).
    assert molded.count('class="receipt card status-red"') == 1
    assert molded.count('class="receipt card status-green"') == members
    assert "&lt;Chợ&gt;" in molded and ("Nguyễn &lt;Thị&gt; Con" in molded) == bool(members)  # escaped
    assert f'action="/c/{ref}/checkout"' in molded


def test_the_receipt_writes_its_times_as_the_templates_filters_do(make_checkin, venue):
    entered = dt.datetime(2026, 1, 2, 23, 5, 59, tzinfo=dt.UTC)  # the next morning in Vietnam
    checkin = make_checkin(
        venue, actors.make_person(), entered_at=entered, left_at=entered + dt.timedelta(hours=2)
    )
    (line,) = receipt_lines(checkin_ids=[checkin.pk])
    filters = Template('{{ t|time:"H:i" }} {{ t|date:"d/m/Y" }} {{ left|time:"H:i" }}')
    expected = filters.render(Context({"t": entered, "left": checkin.left_at}))
    assert f"{line.entered_time} {line.entered_date} {line.left_time}" == expected == "06:05 03/01/2026 08:05"


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("members", [0, 2], ids=["alone", "family"])
def test_the_molded_one_tap_page_of_a_remembered_phone_is_byte_for_byte_the_templates_own(
    client, language, members
):
    family = {"member_0_name": "Nguyễn <Thị> Con", "member_0_year": "2015"} if members else {}
    family |= {"member_1_name": 'Nguyễn "Văn" Ông', "member_1_year": "1948"} if members else {}
    client.post(f"/v/{venue_token(actors.make_venue('Chợ Vườn Hoa'))}", declaration_form(**family))
    person = Person.objects.get(guardian=None)  # this phone is remembered as him
    venue = actors.make_venue('Quán "Bà Ba" <Chợ> & Co\'s', address="1 <Lê> Lợi")
    path = f"/v/{venue_token(venue)}"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for attempt in range(2):  # cast, then filled
        response = client.get(path)
        molded = _without_tokens(response.content.decode())
        assert not (attempt and response.templates)  # the second is filled in: no template rendered
        with translation.override(language):
            context = {"venue": venue, "form": DeclarationForm(), "person": person, "limited": False}
            context |= {"retention_days": settings.QRTRACE_RETENTION_DAYS, "alerts": [], "inside": None}
            context["wards"] = list(person.wards.order_by("full_name"))
            theirs = render_to_string("checkins/scan.html", context, request=RequestFactory().get(path))
        assert molded == _without_tokens(theirs)
    assert len(re.findall(r'name="ward" value="\d+"', molded)) == members
    assert "&lt;Chợ&gt;" in molded and ("Nguyễn &lt;Thị&gt; Con" in molded) == bool(members)  # escaped
    assert "<Lê>" not in molded and "<Thị>" not in molded
