import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import assume, given
from hypothesis import strategies as st

from qrtrace.lib.signing import ALPHABET, BadSignature, random_code, sign, unsign

KEYS = {1: b"first signing key " * 2, 2: b"second signing key " * 2}
PURPOSE = "venue"
VALUE = "V7K2M9QX"


@pytest.fixture(autouse=True)
def _keys():
    with override_settings(QRTRACE_SIGNING_KEYS=KEYS, QRTRACE_SIGNING_KEY_VERSION=2):
        yield


def reason_of(value: str, signature: str, **kwargs) -> str:
    with pytest.raises(BadSignature) as caught:
        unsign(value, signature, **{"purpose": PURPOSE, **kwargs})
    return caught.value.reason


# --- alphabet and random codes ------------------------------------------------------------------


def test_the_alphabet_is_crockford_base32_without_easily_misread_letters():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    # QR alphanumeric mode holds digits and capitals, so codes stay in the smaller encoding.
    assert re.fullmatch("[0-9A-Z]+", ALPHABET)


@pytest.mark.parametrize("length", [1, 8, 20])
def test_a_random_code_has_the_requested_length_and_uses_only_the_alphabet(length):
    code = random_code(length)
    assert len(code) == length
    assert set(code) <= set(ALPHABET)


def test_random_codes_do_not_repeat():
    assert len({random_code(10) for _ in range(1000)}) == 1000


def test_a_random_code_must_have_at_least_one_character():
    with pytest.raises(ValueError, match="at least 1"):
        random_code(0)


# --- sign ---------------------------------------------------------------------------------------


def test_a_signature_is_the_current_key_version_followed_by_ten_alphabet_characters():
    signature = sign(VALUE, purpose=PURPOSE)
    assert signature[0] == "2"
    assert len(signature) == 11
    assert set(signature[1:]) <= set(ALPHABET)


@pytest.mark.parametrize("length", [6, 8, 16, 51])
def test_the_signature_length_can_be_chosen(length):
    signature = sign(VALUE, purpose=PURPOSE, length=length)
    assert len(signature) == 1 + length
    assert unsign(VALUE, signature, purpose=PURPOSE, length=length) == 2


@pytest.mark.parametrize("length", [0, 5, 52])
def test_a_signature_too_short_to_be_safe_or_longer_than_the_digest_is_refused(length):
    with pytest.raises(ValueError, match="between 6 and 51"):
        sign(VALUE, purpose=PURPOSE, length=length)
    with pytest.raises(ValueError, match="between 6 and 51"):
        unsign(VALUE, "2" + "0" * length, purpose=PURPOSE, length=length)


def test_signing_is_deterministic_so_a_reprinted_poster_carries_the_same_code():
    assert sign(VALUE, purpose=PURPOSE) == sign(VALUE, purpose=PURPOSE)


def test_an_older_key_version_can_still_be_chosen_for_signing():
    signature = sign(VALUE, purpose=PURPOSE, key_version=1)
    assert signature.startswith("1")
    assert unsign(VALUE, signature, purpose=PURPOSE) == 1


@pytest.mark.parametrize("version", [3, 0, 10, 12])
def test_signing_with_a_key_version_that_has_no_key_is_a_configuration_error(version):
    with pytest.raises(ImproperlyConfigured):
        sign(VALUE, purpose=PURPOSE, key_version=version)


# --- unsign -------------------------------------------------------------------------------------


def test_a_fresh_signature_verifies_and_reports_its_key_version():
    assert unsign(VALUE, sign(VALUE, purpose=PURPOSE), purpose=PURPOSE) == 2


def test_a_lowercased_signature_still_verifies():
    # Some scanners and phone keyboards change the case of what they read.
    assert unsign(VALUE, sign(VALUE, purpose=PURPOSE).lower(), purpose=PURPOSE) == 2


def test_a_letter_that_only_uppercases_to_an_alphabet_letter_is_malformed():
    signature = sign("S" * 8, purpose=PURPOSE, length=51)
    position = signature.index("S", 1)
    lookalike = signature[:position] + "ſ" + signature[position + 1 :]  # "ſ".upper() == "S"
    assert reason_of("S" * 8, lookalike, length=51) == "malformed"


def test_a_signature_made_for_another_purpose_is_rejected():
    signature = sign(VALUE, purpose="personal")
    assert reason_of(VALUE, signature) == "bad_signature"


def test_a_signature_checked_with_another_length_is_malformed():
    assert reason_of(VALUE, sign(VALUE, purpose=PURPOSE), length=8) == "malformed"


def test_an_unknown_key_version_is_rejected():
    forged = "7" + sign(VALUE, purpose=PURPOSE)[1:]
    assert reason_of(VALUE, forged) == "unknown_key"


def test_a_retired_key_version_is_rejected():
    signature = sign(VALUE, purpose=PURPOSE, key_version=1)
    with override_settings(QRTRACE_SIGNING_KEYS={2: KEYS[2]}):
        assert reason_of(VALUE, signature) == "unknown_key"


def test_a_signature_from_a_replaced_key_is_rejected():
    signature = sign(VALUE, purpose=PURPOSE)
    with override_settings(QRTRACE_SIGNING_KEYS={**KEYS, 2: b"a new secret for version two"}):
        assert reason_of(VALUE, signature) == "bad_signature"


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "2",
        "2ABCDEFGHJ",  # one character short
        "2ABCDEFGHJKM",  # one character long
        "0ABCDEFGHJK",  # version 0 does not exist in the format
        "AABCDEFGHJK",
        "2ABCDEFGHJI",  # I, L, O and U are not in the alphabet
        "2ABCDEFGHJL",
        "2ABCDEFGHJO",
        "2ABCDEFGHJU",
        "2ABCDEFGH-K",
        "2ABCDEFGH K",
        " 2ABCDEFGHJ",
        "２ABCDEFGHJK",  # full-width digit
    ],
)
def test_a_signature_not_in_the_expected_shape_is_malformed(signature):
    assert reason_of(VALUE, signature) == "malformed"


@pytest.mark.parametrize(("value", "signature"), [(None, "2ABCDEFGHJK"), (VALUE, None), (VALUE, 12345)])
def test_input_that_is_not_text_is_malformed(value, signature):
    assert reason_of(value, signature) == "malformed"


@given(value=st.text(max_size=40), data=st.data())
def test_changing_any_one_character_of_the_value_is_rejected(value, data):
    signature = sign(value, purpose=PURPOSE)
    position = data.draw(st.integers(min_value=0, max_value=len(value)))
    edit = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    char = data.draw(st.characters())
    if edit == "replace":
        assume(position < len(value) and value[position] != char)
        changed = value[:position] + char + value[position + 1 :]
    elif edit == "insert":
        changed = value[:position] + char + value[position:]
    else:
        assume(position < len(value))
        changed = value[:position] + value[position + 1 :]
    assert reason_of(changed, signature) == "bad_signature"


@given(value=st.text(max_size=40), position=st.integers(min_value=0, max_value=10), char=st.characters())
def test_changing_any_one_character_of_the_signature_is_rejected(value, position, char):
    signature = sign(value, purpose=PURPOSE)
    assume(char.upper() != signature[position] and char != signature[position])
    changed = signature[:position] + char + signature[position + 1 :]
    with pytest.raises(BadSignature):
        unsign(value, changed, purpose=PURPOSE)


@given(value=st.text(max_size=40), signature=st.text(max_size=60))
def test_arbitrary_signatures_raise_only_bad_signature_with_a_known_reason(value, signature):
    # A random well-formed string is a valid signature with probability 2**-50: never here.
    with pytest.raises(BadSignature) as caught:
        unsign(value, signature, purpose=PURPOSE)
    assert caught.value.reason in {"malformed", "unknown_key", "bad_signature"}


def test_a_lone_surrogate_in_the_value_is_rejected_rather_than_crashing():
    signature = sign(VALUE, purpose=PURPOSE)
    assert reason_of(VALUE + "\ud800", signature) == "bad_signature"
