import pypdfium2
import pytest

from qrtrace.venues.models import Venue, VenueStatus
from qrtrace.venues.qr import venue_checkin_url
from qrtrace.venues.services import venue_register
from tests import actors

pytestmark = pytest.mark.django_db

NEW_VENUE = {
    "name": "Bến xe phía Bắc",
    "kind": "transport",
    "commune_code": actors.COMMUNE_A,
    "address": "QL1A",
}


def test_an_official_creates_an_active_venue_and_gets_its_links(client, commune_official, bearer):
    response = client.post(
        "/api/v1/venues", NEW_VENUE, content_type="application/json", headers=bearer(commune_official)
    )
    assert response.status_code == 201
    body = response.json()
    venue = Venue.objects.get(pk=body["id"])
    assert (body["code"], body["status"]) == (venue.code, "active")
    assert body["checkin_url"] == venue_checkin_url(venue)
    assert body["poster_url"] == f"/api/v1/venues/{venue.pk}/poster.pdf"
    assert body["default_stay_minutes"] == 60


@pytest.mark.parametrize(
    "change",
    [{"kind": "casino"}, {"lat": 91}, {"default_stay_minutes": 0}, {"name": ""}, {"commune_code": "x"}],
)
def test_bad_input_is_a_422_and_creates_nothing(client, commune_official, bearer, change):
    response = client.post(
        "/api/v1/venues",
        {**NEW_VENUE, **change},
        content_type="application/json",
        headers=bearer(commune_official),
    )
    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Venue.objects.exists()


def test_a_commune_of_another_province_is_a_422_the_schema_lists_the_provinces_communes(
    client, province_official, bearer
):
    payload = {**NEW_VENUE, "commune_code": actors.OTHER_PROVINCE_COMMUNE}
    response = client.post(
        "/api/v1/venues", payload, content_type="application/json", headers=bearer(province_official)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "commune_code"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["VenueIn"]
    listed = schema["properties"]["commune_code"]["enum"]
    assert actors.COMMUNE_A in listed and actors.OTHER_PROVINCE_COMMUNE not in listed


def test_the_list_shows_only_the_officials_area_and_filters(client, commune_official, bearer):
    mine = actors.make_venue("Chợ A")
    actors.make_venue("Quán A", kind="restaurant", status="pending")
    actors.make_venue("Chợ B", commune=actors.COMMUNE_B)
    headers = bearer(commune_official)
    body = client.get("/api/v1/venues", headers=headers).json()
    assert body["count"] == 2
    body = client.get("/api/v1/venues?status=active&kind=market&limit=1", headers=headers).json()
    assert [item["id"] for item in body["items"]] == [mine.pk]


def test_an_official_of_another_commune_cannot_see_a_venue(client, other_commune_official, bearer):
    venue = actors.make_venue()
    headers = bearer(other_commune_official)
    assert client.get(f"/api/v1/venues/{venue.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/venues", headers=headers).json()["count"] == 0


def test_an_official_of_another_commune_cannot_approve_a_venue(client, other_commune_official, bearer):
    venue = venue_register(
        name="Tiệm vàng",
        kind="shop",
        address="3 Lê Lợi",
        commune_code=actors.COMMUNE_A,
        contact_phone="0912345678",
    )
    response = client.post(f"/api/v1/venues/{venue.pk}/approve", headers=bearer(other_commune_official))
    assert response.status_code == 404
    venue.refresh_from_db()
    assert venue.status == VenueStatus.PENDING


def test_an_official_of_another_commune_cannot_edit_a_venue(client, other_commune_official, bearer):
    venue = actors.make_venue()
    response = client.patch(
        f"/api/v1/venues/{venue.pk}",
        {"name": "Đổi tên"},
        content_type="application/json",
        headers=bearer(other_commune_official),
    )
    assert response.status_code == 404
    venue.refresh_from_db()
    assert venue.name == "Chợ Vườn Hoa"


def test_patch_changes_only_the_given_fields(client, commune_official, bearer):
    venue = actors.make_venue()
    response = client.patch(
        f"/api/v1/venues/{venue.pk}",
        {"default_stay_minutes": 45},
        content_type="application/json",
        headers=bearer(commune_official),
    )
    assert response.json()["default_stay_minutes"] == 45
    assert response.json()["name"] == "Chợ Vườn Hoa"


def test_approve_suspend_and_revoke_through_the_api(client, commune_official, bearer):
    venue = venue_register(
        name="Tiệm vàng",
        kind="shop",
        address="3 Lê Lợi",
        commune_code=actors.COMMUNE_A,
        contact_phone="0912345678",
    )
    headers = bearer(commune_official)
    assert client.post(f"/api/v1/venues/{venue.pk}/approve", headers=headers).json()["status"] == "active"
    assert client.post(f"/api/v1/venues/{venue.pk}/revoke-qr", headers=headers).json()["qr_version"] == 2
    suspended = client.post(
        f"/api/v1/venues/{venue.pk}/suspend",
        {"reason": "Vi phạm"},
        content_type="application/json",
        headers=headers,
    )
    assert (suspended.json()["status"], suspended.json()["checkin_url"]) == ("suspended", None)
    again = client.post(
        f"/api/v1/venues/{venue.pk}/suspend",
        {"reason": "Vi phạm"},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409


def test_the_poster_endpoint_returns_a_pdf_and_refuses_a_pending_venue(client, commune_official, bearer):
    headers = bearer(commune_official)
    active = actors.make_venue()
    response = client.get(f"/api/v1/venues/{active.pk}/poster.pdf", headers=headers)
    assert response["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    assert len(document) == 1
    document.close()
    pending = actors.make_venue("Chờ", status="pending")
    assert client.get(f"/api/v1/venues/{pending.pk}/poster.pdf", headers=headers).status_code == 409


def test_without_a_token_the_api_is_401(client):
    assert client.get("/api/v1/venues").status_code == 401


@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", "42", '"name"'])
def test_a_patch_body_that_is_not_an_object_is_refused_and_changes_nothing(
    client, commune_official, bearer, body
):
    venue = actors.make_venue()
    response = client.patch(
        f"/api/v1/venues/{venue.pk}", body, content_type="application/json", headers=bearer(commune_official)
    )
    assert response.status_code == 422, response.content
    venue.refresh_from_db()
    assert venue.name == "Chợ Vườn Hoa"
