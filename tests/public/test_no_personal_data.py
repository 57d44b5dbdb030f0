"""Every public response (pages, feeds, API) of the public app, walked as a stranger and as the
phone of a person with a case, alert and report on record: none shows a personal field, and a small
count of people is masked."""

import json
import re
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.urls import get_resolver, reverse
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, DeviceTrust
from qrtrace.checkins.services.devices import device_register
from qrtrace.checkins.views import _DEVICE_SALT, DEVICE_COOKIE
from qrtrace.dashboard import aggregates
from qrtrace.public.models import Feedback
from qrtrace.public.services import announcement_create, optout_token
from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
from tests import actors

pytestmark = pytest.mark.django_db

NAME, PHONE, CITIZEN_ID = "Phạm Thị Riêng Tư", "+84912987654", "038190012345"
SECRETS = (NAME, "Riêng Tư", PHONE, "0912987654", "912987654", "912 987 654", CITIZEN_ID)
API = (
    "/api/v1/public/alerts",
    "/api/v1/announcements",
    f"/api/v1/announcements?commune={actors.COMMUNE_A}",
    "/api/v1/public/map",
)


def _keys(value) -> set[str]:
    """Every key of a JSON answer, at any depth (a list of rows, or GeoJSON's nested properties)."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


@pytest.fixture
def world(province_official):
    venue = actors.make_venue("Chợ Vườn Hoa")
    person = actors.make_person(NAME, PHONE, citizen_id=CITIZEN_ID, commune_id=actors.COMMUNE_A)
    now = timezone.now()
    CheckIn.objects.create(
        venue=venue, person=person, entered_at=now - timedelta(hours=2), method="self_scan"
    )
    case = Case.objects.create(person=person, confirmed_at=now - timedelta(hours=1))
    VenueAlert.objects.create(
        case=case,
        venue=venue,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        status=AlertStatus.PUBLISHED,
    )
    item = announcement_create(actor=province_official, title="Lịch xét nghiệm", body="…", communes=[])
    Feedback.objects.create(
        kind="wrong_data", commune_id=actors.COMMUNE_A, place="Chợ", text=NAME, phone=PHONE
    )
    aggregates.refresh(days=7)  # the public figures are the dashboard's daily aggregates
    return {"venue": venue, "person": person, "announcement": item}


def _public_pages(world) -> list[str]:
    """Every URL of the public app under /public/ (a new one without arguments here fails the test)."""
    args = {
        "announcement": [world["announcement"].pk],
        "commune_feed": [actors.COMMUNE_A],
        "optout": [optout_token(world["person"].phone_hash)],
    }
    urls = []
    public = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "public")
    for pattern in public.url_patterns:
        if str(pattern.pattern).startswith("public/"):
            urls.append(reverse(f"public:{pattern.name}", args=args.get(pattern.name, [])))
    urls.append(
        reverse("public:check") + f"?code={world['venue'].code}&day={timezone.localdate().isoformat()}"
    )
    return urls


def _remembered(client, person):
    response = HttpResponse()
    token = device_register(person=person, trust=DeviceTrust.CREATED)  # the phone that declared them
    response.set_signed_cookie(DEVICE_COOKIE, token, salt=_DEVICE_SALT)
    client.cookies[DEVICE_COOKIE] = response.cookies[DEVICE_COOKIE].value


@pytest.mark.parametrize("remembered", [False, True], ids=["stranger", "the-persons-phone"])
def test_no_public_response_shows_a_name_phone_citizen_id_or_person_id(client, world, remembered):
    if remembered:
        _remembered(client, world["person"])
    urls = _public_pages(world) + list(API)
    assert len(urls) >= 14
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8", "replace") if not url.endswith(".pdf") else ""
        for secret in SECRETS:
            assert secret not in text, (url, secret)
        assert not re.search(r"person[_ ]?id|\"person\"", text, re.IGNORECASE), url
        if url.startswith("/api/"):
            keys = _keys(json.loads(text))
            assert not keys & {"person", "person_id", "full_name", "phone", "citizen_id", "name"}, url


def test_a_single_case_is_shown_as_fewer_than_five_on_the_page_and_the_embed(client, world):
    for url in ("/public/", "/public/embed"):
        html = client.get(url).content.decode()
        figures = html[html.index('id="figures"') : html.index("</section>", html.index('id="figures"'))]
        assert "<dd>&lt; 5</dd>" in figures, url  # the 7-day total: one case
        assert "<td>&lt; 5</td>" in figures, url  # today's count
        assert "<td>1</td>" not in figures and "<dd>1</dd>" not in figures.split("</div>")[0], url
