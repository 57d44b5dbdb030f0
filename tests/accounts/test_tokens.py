import pytest
from django.test import Client

from qrtrace.accounts.models import ApiToken
from qrtrace.accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def _me(client, token: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_a_valid_token_authenticates_and_records_its_use(client, commune_official):
    token = api_token_create(user=commune_official)
    response = _me(client, token)
    assert response.status_code == 200
    assert response.json()["memberships"] == [{"role": "commune", "area_code": "14797"}]
    assert ApiToken.objects.get().last_used_at is not None


def test_a_wrong_token_is_401_with_a_json_detail(client, commune_official):
    api_token_create(user=commune_official)
    response = _me(client, "qrt_not-a-real-token")
    assert response.status_code == 401
    assert "API" in response.json()["detail"]


def test_no_token_at_all_is_401(client):
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_401(client, commune_official):
    token = api_token_create(user=commune_official)
    api_token_revoke(token=ApiToken.objects.get(), actor=commune_official)
    assert _me(client, token).status_code == 401


def test_a_token_of_a_deactivated_official_is_401(client, commune_official):
    token = api_token_create(user=commune_official)
    commune_official.is_active = False
    commune_official.save()
    assert _me(client, token).status_code == 401


def test_revoking_from_the_command_line(commune_official, client):
    from django.core.management import call_command

    token = api_token_create(user=commune_official)
    call_command("official", "revoke-token", token[:12])
    assert _me(client, token).status_code == 401


def test_a_signed_in_official_can_call_the_api_with_the_session(client, commune_official):
    client.force_login(commune_official)
    assert client.get("/api/v1/me").json()["username"] == "tram_a"


@pytest.mark.parametrize(
    ("method", "path"), [("post", "/api/v1/venues"), ("post", "/api/v1/cases"), ("patch", "/api/v1/venues/1")]
)
def test_an_anonymous_write_is_401_as_for_a_missing_token_not_a_csrf_refusal(method, path):
    # As a browser or a script meets it: Django's test client skips the CSRF check unless told.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, "{}", content_type="application/json")
    assert response.status_code == 401


def test_a_signed_in_page_writing_through_the_api_without_its_csrf_token_is_still_refused(commune_official):
    client = Client(enforce_csrf_checks=True)
    client.force_login(commune_official)
    response = client.post("/api/v1/venues", "{}", content_type="application/json")
    assert response.status_code == 403
