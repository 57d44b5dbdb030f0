"""The API's identity types say exactly what the normalisers take: every value the schema's pattern
matches is accepted, and a citizen ID the pattern refuses is refused by the normaliser too."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qrtrace.lib.identity import InvalidIdentity, normalize_citizen_id, normalize_phone
from qrtrace.lib.schemas import PHONE_PATTERN, citizen_id_pattern


def _accepted(normalise, value: str) -> bool:
    try:
        normalise(value)
    except InvalidIdentity:
        return False
    return True


@settings(max_examples=300)
@given(st.from_regex(PHONE_PATTERN, fullmatch=True))
def test_every_phone_the_schema_allows_is_accepted(phone):
    assert _accepted(normalize_phone, phone)


@settings(max_examples=300)
@given(st.text(alphabet="+0123456789 .-()", max_size=20))
def test_a_phone_the_schema_refuses_is_refused_when_it_uses_only_the_schemas_separators(phone):
    if not re.fullmatch(PHONE_PATTERN, phone):
        assert not _accepted(normalize_phone, phone)


@settings(max_examples=300)
@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_the_citizen_id_pattern_and_the_normaliser_agree_on_twelve_digits(citizen_id):
    from django.utils import timezone

    pattern = citizen_id_pattern(timezone.localdate().year)
    assert bool(re.fullmatch(pattern, citizen_id)) == _accepted(normalize_citizen_id, citizen_id)
