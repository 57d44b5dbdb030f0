"""Vietnamese phone numbers and citizen IDs (CCCD): normalise once, at the edge.

A person is found again through a keyed hash of these values, so two spellings of the same
number must normalise to the same string, and anything we cannot read with certainty is refused
rather than guessed.
"""

import re

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Unicode \s on purpose: numbers pasted from chat apps and office documents carry no-break spaces.
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# National significant number: mobile numbers are 9 digits starting with 3, 5, 7, 8 or 9; since the
# 2017 renumbering landlines are 10 digits, a 2-3 digit area code starting with 2 (24 Hà Nội,
# 237 Thanh Hóa) and a 7-8 digit subscriber number.
# re.ASCII because \d would otherwise accept Arabic-Indic and other Unicode digits.
_NATIONAL_NUMBER = re.compile(r"[35789]\d{8}|2\d{9}", re.ASCII)
# Spellings of the Vietnamese country code / trunk prefix, longest first so "0084" wins over "0".
_PHONE_PREFIXES = ("+84", "0084", "84", "0")

_CITIZEN_ID = re.compile(r"\d{12}", re.ASCII)
_BIRTH_YEAR = re.compile(r"\d{4}", re.ASCII)
_PROVINCE_CODES = range(1, 97)  # 001..096
_FIRST_BIRTH_YEAR = 1900


class InvalidIdentity(ValueError):
    """A phone number, citizen ID or birth year we refuse; `.message` is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


def normalize_phone(raw: str) -> str:
    """Return the number in E.164 form (`+84…`), whatever accepted spelling it came in."""
    if not isinstance(raw, str):
        raise InvalidIdentity(_("Enter a valid Vietnamese phone number."))
    compact = _PHONE_SEPARATORS.sub("", raw)
    for prefix in _PHONE_PREFIXES:
        if compact.startswith(prefix):
            national = compact.removeprefix(prefix)
            break
    else:
        national = ""
    if not _NATIONAL_NUMBER.fullmatch(national):
        raise InvalidIdentity(_("Enter a valid Vietnamese phone number."))
    return "+84" + national


def national_phone(phone: str | None) -> str:
    """Write a normalised number the national way, as officials dial it (`0912345678`); "" for none.

    Exports use it too: "+84…" would start like a spreadsheet formula and be shown with an apostrophe.
    """
    return "0" + phone.removeprefix("+84") if phone else ""


def mask_phone(phone: str) -> str:
    """Show a number the way Vietnamese users read it, hiding the middle: `091***5678`."""
    national = national_phone(normalize_phone(phone))
    return f"{national[:3]}***{national[-4:]}"


def normalize_citizen_id(raw: str) -> str:
    """Return the 12-digit citizen ID (CCCD) after checking the parts its structure fixes.

    Digits 1-3 are the province of birth, digit 4 encodes century and sex (0/1 = 1900s, 2/3 =
    2000s, ...), digits 5-6 the year of birth within that century.
    """
    if not isinstance(raw, str):
        raise InvalidIdentity(_("Enter a valid 12-digit citizen ID number."))
    digits = "".join(raw.split())
    if not _CITIZEN_ID.fullmatch(digits):
        raise InvalidIdentity(_("Enter a valid 12-digit citizen ID number."))
    if int(digits[:3]) not in _PROVINCE_CODES:
        raise InvalidIdentity(_("This citizen ID number does not start with a valid province code."))
    birth_year = _FIRST_BIRTH_YEAR + 100 * (int(digits[3]) // 2) + int(digits[4:6])
    if birth_year > _current_year():
        raise InvalidIdentity(_("This citizen ID number implies a birth year in the future."))
    return digits


def parse_birth_year(raw: str | int) -> int:
    """Return a four-digit year of birth between 1900 and the current year."""
    # bool is an int subclass; True must not become the year 1.
    if isinstance(raw, int) and not isinstance(raw, bool):
        year = raw
    elif isinstance(raw, str) and _BIRTH_YEAR.fullmatch(raw.strip()):
        year = int(raw.strip())
    else:
        raise InvalidIdentity(_("Enter a valid four-digit year of birth."))
    if not _FIRST_BIRTH_YEAR <= year <= _current_year():
        raise InvalidIdentity(
            _("Enter a year of birth between %(first)d and %(last)d.")
            % {"first": _FIRST_BIRTH_YEAR, "last": _current_year()}
        )
    return year


def _current_year() -> int:
    # Local date, not UTC: on 1 January before 07:00 in Vietnam it is still last year in UTC.
    return timezone.localdate().year
