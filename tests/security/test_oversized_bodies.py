"""A body over QRTRACE_MAX_BODY_BYTES is refused with 413 and a clear message, never a 500 or a bare 400."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings

from qrtrace.accounts.services import api_token_create
from qrtrace.venues.models import Venue
from tests import actors

pytestmark = pytest.mark.django_db


def _too_long() -> str:
    return "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def test_an_oversized_api_body_is_a_413_with_a_json_detail(client):
    token = api_token_create(user=actors.make_official("cdc", "province", actors.PROVINCE))
    body = json.dumps({"name": _too_long(), "kind": "market", "commune_code": actors.COMMUNE_A})
    response = client.post(
        "/api/v1/venues", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "Yêu cầu quá lớn: chỉ gửi tối đa 256 KB."
    assert not Venue.objects.exists()


def test_an_oversized_api_body_is_refused_before_authentication(client):
    response = client.post("/api/v1/checkins", "[" * 300_000, content_type="application/json")
    assert response.status_code == 413


def test_an_oversized_form_is_a_413_page_saying_why(client):
    response = client.post("/venues/register", {"name": _too_long(), "address": "1 Lê Lợi"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Yêu cầu quá lớn: chỉ gửi tối đa 256 KB." in page
    assert "Chưa có gì được lưu" in page
    assert not Venue.objects.exists()


def test_the_refusal_speaks_the_callers_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/venues/register", {"name": _too_long()})
    assert "This request is too large: send at most 256 KB." in response.content.decode()


def test_a_body_at_the_limit_still_reaches_the_form(client):
    body = urlencode({"name": "Quán", "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 100)})
    assert len(body) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post("/venues/register", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400  # the form's own validation answers, not the size limit
    assert "Yêu cầu quá lớn" not in response.content.decode()
