import base64
import secrets
from io import StringIO

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from qrtrace.people.models import Person
from tests.actors import make_person

pytestmark = pytest.mark.django_db


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _raw(person: Person, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM checkins_person WHERE id = %s", [person.pk])  # noqa: S608
        return cursor.fetchone()[0]


def _rotate() -> str:
    out = StringIO()
    call_command("rotate-keys", stdout=out)
    return out.getvalue()


def test_rotating_moves_every_value_to_the_new_key_so_the_old_one_can_be_dropped():
    old, new = _key(), _key()
    with override_settings(QRTRACE_FIELD_KEYS=[old]):
        people = [make_person(f"N{i}", f"+8490000000{i}", citizen_id=f"03809000000{i}") for i in range(3)]
        make_person("Không có CCCD", "+84911111111")
    with override_settings(QRTRACE_FIELD_KEYS=[new, old]):
        out = _rotate()
    assert "people.Person.phone: 4 re-encrypted" in out
    assert "people.Person.citizen_id: 3 re-encrypted" in out
    with override_settings(QRTRACE_FIELD_KEYS=[new]):
        assert Person.objects.get(pk=people[2].pk).phone == "+84900000002"
        assert Person.objects.get(pk=people[2].pk).citizen_id == "038090000002"
        assert Person.objects.get(full_name="Không có CCCD").citizen_id is None
    with override_settings(QRTRACE_FIELD_KEYS=[old]), pytest.raises(InvalidToken):
        Person.objects.get(pk=people[0].pk)


def test_a_second_run_rewrites_nothing():
    old, new = _key(), _key()
    with override_settings(QRTRACE_FIELD_KEYS=[old]):
        person = make_person()
    with override_settings(QRTRACE_FIELD_KEYS=[new, old]):
        _rotate()
        stored = _raw(person, "phone")
        assert "people.Person.phone: 0 re-encrypted" in _rotate()
        assert _raw(person, "phone") == stored


def test_second_factor_secrets_are_rotated_too(commune_official):
    old, new = _key(), _key()
    with override_settings(QRTRACE_FIELD_KEYS=[old]):
        commune_official.totp_secret = "JBSWY3DPEHPK3PXP"
        commune_official.save()
    with override_settings(QRTRACE_FIELD_KEYS=[new, old]):
        assert "accounts.User.totp_secret: 1 re-encrypted" in _rotate()
    with override_settings(QRTRACE_FIELD_KEYS=[new]):
        commune_official.refresh_from_db()
        assert commune_official.totp_secret == "JBSWY3DPEHPK3PXP"
