"""What schemathesis found, pinned down: numbers past what the database holds are invalid input (never
a 500), and a record that is missing or out of area is a translated 404."""

import pytest

from qrtrace.accounts.services import api_token_create
from tests import actors

pytestmark = pytest.mark.django_db
HUGE = 2**70


@pytest.fixture
def venue():
    return actors.make_venue()


@pytest.fixture
def headers(commune_official):
    return {"Authorization": f"Bearer {api_token_create(user=commune_official)}"}


@pytest.mark.parametrize(
    "query", [f"limit={HUGE}", f"offset={HUGE}", f"commune={HUGE}", f"commune=-{HUGE}", "limit=501"]
)
def test_a_venue_list_query_past_its_bounds_is_a_422(client, headers, query):
    response = client.get(f"/api/v1/venues?{query}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/v1/venues/{HUGE}"),
        ("post", f"/api/v1/venues/{HUGE}/rotate-qr"),
        ("get", f"/api/v1/venues/{HUGE}/checkins"),
        ("post", f"/api/v1/checkins/{HUGE}/checkout"),
        ("get", f"/api/v1/geo/communes?province={HUGE}"),
    ],
)
def test_an_id_past_64_bits_is_a_422(client, headers, method, path):
    if method == "post":
        response = client.post(path, "{}", content_type="application/json", headers=headers)
    else:
        response = client.get(path, headers=headers)
    assert response.status_code == 422


def test_a_page_past_the_last_possible_one_is_a_422(client, headers, venue):
    response = client.get(f"/api/v1/venues/{venue.pk}/checkins?offset={HUGE}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_venue_out_of_area_is_the_same_translated_404_as_a_missing_one(client, venue, headers):
    outside = actors.make_venue("Siêu thị", actors.COMMUNE_B)
    answers = [client.get(f"/api/v1/venues/{pk}/checkins", headers=headers) for pk in (outside.pk, 999_999)]
    assert [a.status_code for a in answers] == [404, 404]
    assert {a.json()["detail"] for a in answers} == {"Không có địa điểm này trong địa bàn của bạn."}


def test_a_checkin_out_of_area_is_a_translated_404(client, headers):
    response = client.post(
        "/api/v1/checkins/999999/checkout", "{}", content_type="application/json", headers=headers
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Không có lượt ra vào này trong địa bàn của bạn."


def test_no_two_response_schemas_share_a_name():
    """Two schemas of one name are one component in the OpenAPI document, so one of the operations is
    described (and fuzz-checked) with the other's fields: geo's CommuneOut and the dashboard's did."""
    from ninja.schema import Schema as NinjaSchema

    from qrtrace.api.api import api

    api.get_openapi_schema()  # imports every router
    names: dict[str, set[str]] = {}
    stack = list(NinjaSchema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("qrtrace."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in names.items() if len(mods) > 1} == {}
