"""Gate devices: enrolled once by venue staff (an API token of theirs, named after the venue), shown the
token once, cut off when lost; and the service worker that keeps the gate page working offline."""

import re

import pytest

from qrtrace.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _token_on(page) -> str:
    found = re.search(r'data-new-token="([^"]+)"', page.content.decode())
    return found.group(1) if found else ""


def _batch(client, token):
    return client.post(
        "/api/v1/checkins/batch",
        {"items": []},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_enrolling_shows_the_token_to_this_device_once_and_it_syncs(client, venue, venue_staff):
    client.force_login(venue_staff)

    response = client.post(f"/gate/{venue.code}/device", {"action": "enrol"}, follow=True)

    token = _token_on(response)
    assert token.startswith("qrt_")
    assert _token_on(client.get(f"/gate/{venue.code}")) == ""  # once
    assert ApiToken.objects.get(user=venue_staff).name == f"gate:{venue.code}"
    assert _batch(client, token).status_code == 200


def test_a_device_cut_off_can_sync_no_more(client, venue, venue_staff):
    client.force_login(venue_staff)
    token = _token_on(client.post(f"/gate/{venue.code}/device", {"action": "enrol"}, follow=True))
    prefix = ApiToken.objects.get(user=venue_staff).prefix

    client.post(f"/gate/{venue.code}/device", {"action": "revoke", "prefix": prefix})

    assert ApiToken.objects.get(user=venue_staff).revoked_at is not None
    client.logout()
    assert _batch(client, token).status_code == 401


def test_staff_cannot_cut_off_someone_elses_device(client, venue, venue_staff, commune_official):
    client.force_login(commune_official)
    client.post(f"/gate/{venue.code}/device", {"action": "enrol"})
    prefix = ApiToken.objects.get(user=commune_official).prefix
    client.force_login(venue_staff)

    client.post(f"/gate/{venue.code}/device", {"action": "revoke", "prefix": prefix})

    assert ApiToken.objects.get(user=commune_official).revoked_at is None


def test_the_service_worker_may_control_the_gate_pages_and_keeps_their_scripts(client):
    response = client.get("/gate/sw.js")

    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/gate/"
    body = response.content.decode()
    assert "/static/checkins/gate_offline.js" in body and "/static/jsqr/jsQR.js" in body
    assert "no-cache" in response["Cache-Control"]
