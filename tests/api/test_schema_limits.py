"""The API schema states the limits the server enforces (issue 12 §5): coordinates, phones, citizen
IDs, years, communes, local times, page bounds. A value inside them is taken; one outside is a 422
naming the field."""

from decimal import Decimal

import pytest

from qrtrace.accounts.services import api_token_create
from qrtrace.venues.models import Venue
from tests import actors

pytestmark = pytest.mark.django_db

NEW_VENUE = {"name": "Nhà văn hoá", "kind": "agency", "commune_code": actors.COMMUNE_A, "address": "1 Lê Lợi"}


@pytest.fixture
def post(client):
    headers = {
        "Authorization": f"Bearer {api_token_create(user=actors.make_official('cdc', 'province', 38))}"
    }

    def send(path: str, body: dict):
        return client.post(path, body, content_type="application/json", headers=headers)

    return send


def test_a_coordinate_with_more_places_than_kept_is_rounded_not_refused(post):
    response = post("/api/v1/venues", NEW_VENUE | {"lat": 19.80712345678, "lng": 105.7767})
    assert response.status_code == 201, response.content
    venue = Venue.objects.get()
    assert (venue.lat, venue.lng) == (Decimal("19.807123"), Decimal("105.776700"))


@pytest.mark.parametrize("lat", ["19.8", "", True, 90.5, -91])
def test_a_coordinate_that_is_not_a_number_in_range_is_a_422(post, lat):
    response = post("/api/v1/venues", NEW_VENUE | {"lat": lat})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "lat"
    assert not Venue.objects.exists()


def test_the_schema_states_each_limit(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    venue, person = schemas["VenueIn"]["properties"], schemas["PersonIn"]["properties"]
    assert (venue["lat"]["anyOf"][0]["type"], venue["lat"]["anyOf"][0]["maximum"]) == ("number", 90)
    assert "pattern" in str(venue["contact_phone"]) and "pattern" in str(person["phone"])
    assert "pattern" in str(person["citizen_id"]) and "maximum" in str(person["birth_year"])
    assert actors.COMMUNE_A in venue["commune_code"]["enum"]
    assert "pattern" in str(venue["opens_at"])


def test_a_nul_character_in_a_text_field_is_replaced_on_both_databases_not_a_500(post):
    response = post("/api/v1/venues", NEW_VENUE | {"name": "Nhà\x00 văn hoá", "address": "1\x00"})
    assert response.status_code == 201, response.content
    assert (Venue.objects.get().name, Venue.objects.get().address) == ("Nhà\ufffd văn hoá", "1\ufffd")
