from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from qrtrace.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery staple"


def _login(client, password: str, username: str = "tram_a", ip: str = "203.0.113.5"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_successful_sign_in_is_audited_with_the_address(client, commune_official):
    assert _login(client, GOOD).status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert (event.actor, event.ip) == (commune_official, "203.0.113.5")
    assert event.details == {"second_factor": False}


def test_a_failed_sign_in_is_audited_with_the_name_tried(client, commune_official):
    _login(client, "wrong")
    _login(client, "wrong", username="nobody")
    events = AuditEvent.objects.filter(action="login_failed").order_by("pk")
    assert [(e.object_id, e.details["username"], e.actor) for e in events] == [
        (str(commune_official.pk), "tram_a", None),
        ("", "nobody", None),
    ]


@override_settings(QRTRACE_LOGIN_MAX_FAILURES=3, QRTRACE_LOGIN_LOCKOUT_MINUTES=15)
def test_repeated_failures_lock_the_account_even_against_the_right_password(client, commune_official):
    for _attempt in range(2):
        assert "Sai tên đăng nhập hoặc mật khẩu" in _login(client, "wrong").content.decode()
    third = _login(client, "wrong").content.decode()
    assert "Tài khoản bị khoá" in third
    response = _login(client, GOOD)
    assert response.status_code == 200
    assert "Tài khoản bị khoá" in response.content.decode()
    assert Client().get("/api/v1/me").status_code == 401
    assert not AuditEvent.objects.filter(action="login").exists()
    refused = AuditEvent.objects.filter(action="login_failed").latest("pk")
    assert (refused.object_id, refused.details["reason"]) == (str(commune_official.pk), "locked")
    commune_official.refresh_from_db()
    assert commune_official.failed_logins == 0  # attempts during a lock do not extend it


@override_settings(QRTRACE_LOGIN_MAX_FAILURES=3, QRTRACE_LOGIN_LOCKOUT_MINUTES=15)
def test_the_lock_lifts_after_the_period(client, commune_official):
    for _attempt in range(3):
        _login(client, "wrong")
    commune_official.refresh_from_db()
    assert commune_official.locked_until > timezone.now() + timedelta(minutes=14)
    # Fifteen minutes later, as far as the account is concerned.
    commune_official.locked_until = timezone.now() - timedelta(seconds=1)
    commune_official.save(update_fields=["locked_until"])
    assert _login(client, GOOD).status_code == 302


@override_settings(QRTRACE_LOGIN_MAX_FAILURES=3)
def test_a_success_resets_the_failure_count(client, commune_official):
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, GOOD).status_code == 302
    commune_official.refresh_from_db()
    assert (commune_official.failed_logins, commune_official.locked_until) == (0, None)


def test_guessing_many_names_from_one_address_is_rate_limited(client):
    statuses = [_login(client, "x", username=f"user{i}").status_code for i in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert "Bạn đã thử đăng nhập quá nhiều lần" in _login(client, "x", username="other").content.decode()


def test_guessing_one_name_from_many_addresses_is_rate_limited(client):
    statuses = [_login(client, "x", username="ghost", ip=f"198.51.100.{i}").status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_the_admin_sign_in_goes_through_the_protected_form(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_overlong_username_is_a_form_error_not_a_crash(client):
    response = _login(client, "x", username="a" * 5000)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
