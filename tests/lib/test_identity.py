import datetime as dt
import re
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import example, given
from hypothesis import strategies as st

from qrtrace.lib.identity import (
    InvalidIdentity,
    mask_phone,
    national_phone,
    normalize_citizen_id,
    normalize_phone,
    parse_birth_year,
)

MOBILE = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("35789"),
    st.text("0123456789", min_size=8, max_size=8),
)
LANDLINE = st.builds(lambda rest: "2" + rest, st.text("0123456789", min_size=9, max_size=9))
NATIONAL = MOBILE | LANDLINE
PREFIXES = ("0", "84", "+84", "0084")
SEPARATORS = st.sampled_from(["", " ", ".", "-", "(", ")", "\u00a0", " - "])


@st.composite
def spelled(draw: st.DrawFn, national: str) -> str:
    """The national number written with any accepted prefix and separators anywhere."""
    text = draw(st.sampled_from(PREFIXES)) + national
    return "".join(draw(SEPARATORS) + char for char in text) + draw(SEPARATORS)


@pytest.fixture(autouse=True)
def _vietnam_time_zone_english_messages():
    # Messages are asserted by their English msgid; one test below checks the Vietnamese catalogue.
    with override_settings(TIME_ZONE="Asia/Ho_Chi_Minh"), translation.override("en"):
        yield


def frozen_at(*args: int):
    """Freeze "now" at a UTC instant."""
    return mock.patch("django.utils.timezone.now", return_value=dt.datetime(*args, tzinfo=dt.UTC))


# --- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "091 234 5678",
        "091.234.5678",
        "091-234-5678",
        "(091) 234 5678",
        "84912345678",
        "+84912345678",
        "+84 91 234 56 78",
        "0084912345678",
        "00 84 912 345 678",
        "\u00a00912\u00a0345\u00a0678 ",
    ],
)
def test_every_accepted_spelling_of_a_mobile_number_normalises_to_e164(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0356789012", "+84356789012"),  # Viettel 03x
        ("0587654321", "+84587654321"),  # Vietnamobile 05x
        ("0701234567", "+84701234567"),  # MobiFone 07x
        ("0845123456", "+84845123456"),  # VinaPhone 08x
        ("024 3825 3536", "+842438253536"),  # Hà Nội landline, 2-digit area code
        ("(0237) 385 2123", "+842373852123"),  # Thanh Hóa landline, 3-digit area code
    ],
)
def test_mobile_ranges_and_landlines_are_accepted(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0",
        "091234567",  # one digit short
        "09123456789",  # one digit long
        "024382535",  # landline one digit short
        "912345678",  # no prefix at all
        "0112345678",  # 01x is no longer a Vietnamese range
        "0412345678",  # 04 is not a national range
        "0612345678",
        "+1 202 555 0143",  # another country
        "+85512345678",  # Cambodia
        "0085512345678",
        "+840912345678",  # trunk 0 kept after the country code
        "09123456a8",
        "091234567８",  # full-width digit
        "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "091/234/5678",
        "tel:0912345678",
    ],
)
def test_numbers_that_are_not_vietnamese_are_refused(raw):
    with pytest.raises(InvalidIdentity) as caught:
        normalize_phone(raw)
    assert str(caught.value.message) == "Enter a valid Vietnamese phone number."


def test_a_phone_that_is_not_text_is_refused_as_invalid():
    with pytest.raises(InvalidIdentity):
        normalize_phone(912345678)  # type: ignore[arg-type]


@given(data=st.data(), national=NATIONAL)
def test_every_spelling_of_a_national_number_normalises_to_the_same_value(data, national):
    assert normalize_phone(data.draw(spelled(national))) == "+84" + national


@given(national=NATIONAL)
def test_normalising_a_phone_twice_changes_nothing(national):
    once = normalize_phone("0" + national)
    assert normalize_phone(once) == once


@given(raw=st.text())
@example(raw="+84")
@example(raw="0084")
@example(raw="\x00")
def test_garbage_phone_input_either_normalises_or_raises_invalid_identity(raw):
    try:
        phone = normalize_phone(raw)
    except InvalidIdentity:
        return
    assert re.fullmatch(r"\+84([35789]\d{8}|2\d{9})", phone)
    assert normalize_phone(phone) == phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+84912345678", "091***5678"),
        ("0912 345 678", "091***5678"),
        ("+842373852123", "023***2123"),
    ],
)
def test_a_masked_phone_shows_only_the_operator_prefix_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@given(NATIONAL)
def test_a_phone_is_written_with_the_trunk_zero_and_normalises_back(number):
    phone = normalize_phone("+84" + number)
    assert national_phone(phone) == "0" + number
    assert normalize_phone(national_phone(phone)) == phone


def test_no_phone_is_written_as_an_empty_cell():
    assert national_phone(None) == national_phone("") == ""


def test_masking_an_invalid_phone_raises_invalid_identity():
    with pytest.raises(InvalidIdentity):
        mask_phone("not a phone")


# --- citizen IDs --------------------------------------------------------------------------------


def test_a_citizen_id_with_spaces_normalises_to_twelve_digits():
    with frozen_at(2026, 6, 1):
        assert normalize_citizen_id(" 038 095 001 234 ") == "038095001234"


@pytest.mark.parametrize(
    "raw",
    [
        "001000000001",  # born 1900 in Hà Nội, male
        "096199000001",  # highest province code, female, 1999
        "038226000001",  # born in 2026, the current year
        "038326000001",  # female, 2026
    ],
)
def test_citizen_ids_with_a_valid_province_and_past_birth_year_are_accepted(raw):
    with frozen_at(2026, 6, 1):
        assert normalize_citizen_id(raw) == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("03809500123", "Enter a valid 12-digit citizen ID number."),
        ("0380950012345", "Enter a valid 12-digit citizen ID number."),
        ("03809500123A", "Enter a valid 12-digit citizen ID number."),
        ("038-095-001-234", "Enter a valid 12-digit citizen ID number."),
        ("０３８０９５００１２３４", "Enter a valid 12-digit citizen ID number."),
        ("", "Enter a valid 12-digit citizen ID number."),
        ("000095001234", "This citizen ID number does not start with a valid province code."),
        ("097095001234", "This citizen ID number does not start with a valid province code."),
        ("999095001234", "This citizen ID number does not start with a valid province code."),
        ("038227000001", "This citizen ID number implies a birth year in the future."),
        ("038399000001", "This citizen ID number implies a birth year in the future."),
        ("038400000001", "This citizen ID number implies a birth year in the future."),  # 2100s
        ("038900000001", "This citizen ID number implies a birth year in the future."),  # 2300s
    ],
)
def test_malformed_citizen_ids_are_refused_with_the_reason(raw, message):
    with frozen_at(2026, 6, 1), pytest.raises(InvalidIdentity) as caught:
        normalize_citizen_id(raw)
    assert str(caught.value.message) == message


def test_the_birth_year_limit_follows_the_vietnamese_calendar_not_utc():
    # 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in Vietnam, so a child born in 2027 may exist.
    with frozen_at(2026, 12, 31, 18):
        assert normalize_citizen_id("038227000001") == "038227000001"
    with frozen_at(2026, 12, 31, 16), pytest.raises(InvalidIdentity):
        normalize_citizen_id("038227000001")


@given(raw=st.text() | st.text("0123456789 ", min_size=10, max_size=16))
def test_garbage_citizen_id_input_either_normalises_or_raises_invalid_identity(raw):
    try:
        citizen_id = normalize_citizen_id(raw)
    except InvalidIdentity:
        return
    assert re.fullmatch(r"\d{12}", citizen_id, re.ASCII)
    assert normalize_citizen_id(citizen_id) == citizen_id


# --- birth years --------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "year"), [("1990", 1990), (" 2026 ", 2026), (1900, 1900), ("1900", 1900)])
def test_a_birth_year_between_1900_and_this_year_is_parsed(raw, year):
    with frozen_at(2026, 6, 1):
        assert parse_birth_year(raw) == year


@pytest.mark.parametrize("raw", ["1899", "2027", 1899, 2027, "90", "19 90", "1990.0", "", None, 1990.0, True])
def test_a_birth_year_outside_the_range_or_not_a_year_is_refused(raw):
    with frozen_at(2026, 6, 1), pytest.raises(InvalidIdentity):
        parse_birth_year(raw)


def test_the_birth_year_error_names_the_allowed_range():
    with frozen_at(2026, 6, 1), pytest.raises(InvalidIdentity) as caught:
        parse_birth_year("2030")
    assert str(caught.value.message) == "Enter a year of birth between 1900 and 2026."


def test_error_messages_are_shown_in_vietnamese_to_vietnamese_users():
    with translation.override("vi"):
        with pytest.raises(InvalidIdentity) as caught:
            normalize_phone("123")
        assert str(caught.value.message) == "Vui lòng nhập số điện thoại Việt Nam hợp lệ."
        with frozen_at(2026, 6, 1), pytest.raises(InvalidIdentity) as caught:
            parse_birth_year("1800")
        assert str(caught.value.message) == "Vui lòng nhập năm sinh từ 1900 đến 2026."


@given(raw=st.text() | st.integers())
def test_garbage_birth_year_input_either_parses_or_raises_invalid_identity(raw):
    try:
        year = parse_birth_year(raw)
    except InvalidIdentity:
        return
    assert 1900 <= year <= timezone.localdate().year
