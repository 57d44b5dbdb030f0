import pytest
from django.core.management import CommandError, call_command

from qrtrace.accounts.models import ApiToken, Membership
from qrtrace.accounts.selectors import user_jurisdiction
from qrtrace.audit.models import AuditEvent
from qrtrace.geo.jurisdiction import NOWHERE
from tests.actors import COMMUNE_A, COMMUNE_B, PROVINCE

pytestmark = pytest.mark.django_db


def _run(*args) -> list[str]:
    from io import StringIO

    out = StringIO()
    call_command("official", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_official_add_creates_a_province_official_and_prints_a_working_token(client):
    lines = _run("add", "x", "--role", "province", "--area", str(PROVINCE), "--token")
    token = lines[-1]
    assert token.startswith("qrt_")
    membership = Membership.objects.get(user__username="x")
    assert (membership.role, membership.area_code, membership.province_id) == ("province", "38", 38)
    assert ApiToken.objects.get().digest != token  # only a hash is stored
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "x"


def test_official_add_is_idempotent_and_adds_a_second_area():
    _run("add", "tram", "--role", "commune", "--area", str(COMMUNE_A))
    _run("add", "tram", "--role", "commune", "--area", str(COMMUNE_A))
    _run("add", "tram", "--role", "commune", "--area", str(COMMUNE_B))
    assert Membership.objects.filter(user__username="tram").count() == 2


def test_official_add_refuses_an_unknown_area_with_a_clear_message():
    with pytest.raises(CommandError, match="Không có xã, phường nào có mã 999999"):
        _run("add", "y", "--role", "commune", "--area", "999999")
    with pytest.raises(CommandError, match="Không có tỉnh nào có mã thanh-hoa"):
        _run("add", "y", "--role", "province", "--area", "thanh-hoa")


def test_granting_a_role_is_audited():
    _run("add", "z", "--role", "commune", "--area", str(COMMUNE_A))
    event = AuditEvent.objects.get(action="grant")
    assert event.object_type == "membership" and event.object_id.endswith(f":commune:{COMMUNE_A}")


def test_jurisdiction_follows_memberships(commune_official, province_official):
    assert user_jurisdiction(commune_official).communes == {COMMUNE_A}
    assert user_jurisdiction(province_official).provinces == {PROVINCE}


def test_an_inactive_official_has_no_jurisdiction(commune_official):
    commune_official.is_active = False
    assert user_jurisdiction(commune_official) == NOWHERE


def test_official_add_with_password_sets_one_read_from_stdin(client, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    lines = _run("add", "tram_x", "--role", "commune", "--area", str(COMMUNE_A), "--password")
    assert "password set" in lines[-1]
    assert client.login(username="tram_x", password="a long enough passphrase")


def test_official_add_refuses_a_weak_password_with_the_reason(monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("12345\n"))
    with pytest.raises(CommandError, match=r"too short|quá ngắn"):
        _run("add", "tram_y", "--role", "commune", "--area", str(COMMUNE_A), "--password")


def test_official_add_without_password_says_how_to_set_one():
    lines = _run("add", "tram_z", "--role", "commune", "--area", str(COMMUNE_A))
    assert "--password" in lines[-1]
