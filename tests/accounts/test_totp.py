import time

import pyotp
import pytest
from django.test import override_settings

from qrtrace.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery staple"


def _password(client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": GOOD})


def _enrol(client, user) -> pyotp.TOTP:
    """Set up the factor as the official does: open the page, read the key, confirm a code."""
    page = client.get("/accounts/second-factor/").content.decode()
    user.refresh_from_db()
    assert user.totp_secret in page and "data:image/svg+xml" in page
    totp = pyotp.TOTP(user.totp_secret)
    assert client.post("/accounts/second-factor/", {"code": totp.now()}).status_code == 302
    return totp


def _signed_in_as(client) -> str | None:
    response = client.get("/api/v1/me")
    return response.json()["username"] if response.status_code == 200 else None


def test_an_official_who_set_up_a_second_factor_needs_a_code_after_the_password(client, commune_official):
    client.force_login(commune_official)
    totp = _enrol(client, commune_official)
    client.post("/accounts/logout/")

    response = _password(client, "tram_a")
    assert response["Location"] == "/accounts/login/verify/"
    assert _signed_in_as(client) is None  # the password alone opens nothing
    # The enrolment spent this 30-second step's code; the app's next code is accepted (clock drift).
    next_code = totp.at(time.time() + totp.interval)
    assert client.post("/accounts/login/verify/", {"code": next_code}).status_code == 302
    assert _signed_in_as(client) == "tram_a"
    assert AuditEvent.objects.filter(action="login").latest("pk").details == {"second_factor": True}


def test_a_wrong_code_is_refused_with_a_translated_message_and_counted(client, commune_official):
    client.force_login(commune_official)
    _enrol(client, commune_official)
    client.post("/accounts/logout/")
    _password(client, "tram_a")
    response = client.post("/accounts/login/verify/", {"code": "000000"})
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    assert _signed_in_as(client) is None
    commune_official.refresh_from_db()
    assert commune_official.failed_logins == 1
    assert AuditEvent.objects.filter(action="login_failed", details__reason="totp").count() == 1


def test_a_code_cannot_be_used_twice(client, commune_official):
    client.force_login(commune_official)
    totp = _enrol(client, commune_official)
    client.post("/accounts/logout/")
    _password(client, "tram_a")
    # The code that confirmed enrolment was seen once already: replaying it fails. (Not `totp.now()`:
    # once a 30-second boundary passes that is a fresh code, and the test would pass or fail by chance.)
    commune_official.refresh_from_db()
    spent = totp.generate_otp(commune_official.totp_last_step)
    response = client.post("/accounts/login/verify/", {"code": spent})
    assert response.status_code == 200
    assert _signed_in_as(client) is None


def test_the_verify_step_without_a_password_first_goes_back_to_sign_in(client):
    assert client.post("/accounts/login/verify/", {"code": "123456"})["Location"] == "/accounts/login/"


@override_settings(QRTRACE_REQUIRE_TOTP_FOR_PROVINCE=True)
def test_the_province_office_must_set_up_a_second_factor_before_its_first_session(client, province_official):
    response = _password(client, "cdc")
    assert response["Location"] == "/accounts/second-factor/"
    assert _signed_in_as(client) is None
    _enrol(client, province_official)
    assert _signed_in_as(client) == "cdc"
    province_official.refresh_from_db()
    assert province_official.has_totp


@override_settings(QRTRACE_REQUIRE_TOTP_FOR_PROVINCE=True)
def test_a_commune_official_is_not_forced_to_use_a_second_factor(client, commune_official):
    assert _password(client, "tram_a")["Location"] == "/"
    assert _signed_in_as(client) == "tram_a"


def test_without_the_production_requirement_the_province_office_signs_in_with_a_password(
    client, province_official
):
    assert _password(client, "cdc")["Location"] == "/"


def test_the_enrolment_page_is_in_vietnamese(client, commune_official):
    client.force_login(commune_official)
    assert "Thiết lập xác thực hai lớp" in client.get("/accounts/second-factor/").content.decode()
