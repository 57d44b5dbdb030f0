import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.utils.module_loading import import_string
from hypothesis import given
from hypothesis import strategies as st

from qrtrace.lib.crypto import EncryptedTextField, decrypt, encrypt, lookup_hash, reencrypt

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
LOOKUP_KEY = b"0123456789abcdef" * 4
PHONE = "+84912345678"


@pytest.fixture(autouse=True)
def _keys():
    with override_settings(QRTRACE_FIELD_KEYS=[OLD_KEY], QRTRACE_LOOKUP_KEY=LOOKUP_KEY):
        yield


# --- encrypt / decrypt --------------------------------------------------------------------------


@given(value=st.text())
def test_any_text_round_trips_through_encryption(value):
    assert decrypt(encrypt(value)) == value


def test_vietnamese_text_round_trips_through_encryption():
    address = "Số 5, ngõ 12, phường Điện Biên, Thanh Hóa"
    assert decrypt(encrypt(address)) == address


def test_encrypting_the_same_value_twice_gives_different_tokens_without_the_plaintext():
    first, second = encrypt(PHONE), encrypt(PHONE)
    assert first != second
    for token in (first, second):
        assert PHONE not in token
        assert "912345678" not in token


def test_a_token_cannot_be_decrypted_without_its_key():
    token = encrypt(PHONE)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY]), pytest.raises(InvalidToken):
        decrypt(token)


def test_a_tampered_token_is_refused():
    token = encrypt(PHONE)
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(InvalidToken):
        decrypt(tampered)


def test_changing_the_keys_setting_takes_effect_without_a_restart():
    # The MultiFernet is cached; the setting_changed signal must drop it.
    old_token = encrypt(PHONE)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY]):
        new_token = encrypt(PHONE)
        assert decrypt(new_token) == PHONE
    with pytest.raises(InvalidToken):
        decrypt(new_token)
    assert decrypt(old_token) == PHONE


def test_no_field_keys_is_a_configuration_error():
    with override_settings(QRTRACE_FIELD_KEYS=[]), pytest.raises(ImproperlyConfigured):
        encrypt(PHONE)


# --- key rotation -------------------------------------------------------------------------------


def test_old_tokens_still_decrypt_after_a_new_key_is_prepended():
    token = encrypt(PHONE)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        assert decrypt(token) == PHONE


def test_after_rotation_new_values_are_encrypted_with_the_new_key():
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        token = encrypt(PHONE)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY]):
        assert decrypt(token) == PHONE


def test_reencrypt_makes_the_old_key_unnecessary():
    token = encrypt(PHONE)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        rotated = reencrypt(token)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY]):
        assert decrypt(rotated) == PHONE
        with pytest.raises(InvalidToken):
            decrypt(token)


# --- lookup hash --------------------------------------------------------------------------------


def test_the_lookup_hash_is_the_truncated_hmac_of_kind_and_value():
    expected = hmac.new(LOOKUP_KEY, b"phone\x00" + PHONE.encode(), hashlib.sha256).hexdigest()[:40]
    assert lookup_hash("phone", PHONE) == expected


def test_the_lookup_hash_is_stable_so_records_can_be_found_again():
    assert lookup_hash("phone", PHONE) == lookup_hash("phone", PHONE)
    assert len(lookup_hash("phone", PHONE)) == 40


def test_equal_values_of_different_kinds_have_different_lookup_hashes():
    assert lookup_hash("phone", "038095001234") != lookup_hash("citizen_id", "038095001234")


def test_moving_characters_between_kind_and_value_changes_the_lookup_hash():
    assert lookup_hash("phone", "1") != lookup_hash("phone1", "")
    assert lookup_hash("ab", "c") != lookup_hash("a", "bc")


def test_a_kind_containing_the_separator_is_refused():
    with pytest.raises(ValueError, match="NUL"):
        lookup_hash("phone\x00x", PHONE)


def test_the_lookup_hash_depends_on_the_secret_key():
    # Without the key, hashing every possible phone number must not find the person.
    unkeyed = hashlib.sha256(b"phone\x00" + PHONE.encode()).hexdigest()[:40]
    with_key = lookup_hash("phone", PHONE)
    with override_settings(QRTRACE_LOOKUP_KEY=b"another key"):
        assert lookup_hash("phone", PHONE) != with_key
    assert with_key != unkeyed


# --- EncryptedTextField -------------------------------------------------------------------------


def test_the_field_stores_ciphertext_and_returns_plaintext():
    field = EncryptedTextField()
    stored = field.get_db_prep_save(PHONE, connection)
    assert PHONE not in stored
    assert field.from_db_value(stored, None, connection) == PHONE


def test_the_field_keeps_none_as_none():
    field = EncryptedTextField(null=True)
    assert field.get_db_prep_save(None, connection) is None
    assert field.from_db_value(None, None, connection) is None


def test_the_field_stores_non_text_values_as_their_text():
    field = EncryptedTextField()
    assert field.from_db_value(field.get_prep_value(912345678), None, connection) == "912345678"


def test_the_field_reads_rows_written_before_a_key_rotation():
    field = EncryptedTextField()
    stored = field.get_db_prep_save(PHONE, connection)
    with override_settings(QRTRACE_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        assert field.from_db_value(stored, None, connection) == PHONE


@pytest.mark.django_db
def test_a_database_dump_holds_no_plaintext_and_the_field_reads_it_back():
    field = EncryptedTextField()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE lib_dump_check (value TEXT)")
        cursor.execute(
            "INSERT INTO lib_dump_check (value) VALUES (%s)", [field.get_db_prep_save(PHONE, connection)]
        )
        cursor.execute("SELECT value FROM lib_dump_check")
        (raw,) = cursor.fetchone()
        cursor.execute("DROP TABLE lib_dump_check")
    assert "912345678" not in raw
    assert field.from_db_value(raw, None, connection) == PHONE


def test_the_field_refuses_lookups_that_cannot_match_ciphertext():
    field = EncryptedTextField()
    for lookup in ("exact", "iexact", "contains", "startswith", "in", "gt"):
        assert field.get_lookup(lookup) is None
    assert field.get_transform("lower") is None
    assert field.get_lookup("isnull") is not None


def test_migrations_can_import_the_field_from_its_deconstructed_path():
    _name, path, _args, _kwargs = EncryptedTextField().deconstruct()
    assert import_string(path) is EncryptedTextField
