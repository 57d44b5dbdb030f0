"""The base of every API request body: a JSON object, nothing else.

ninja's Schema reads its fields through attribute access on whatever it is given (so it can validate
model instances), and a JSON body of `[null, null]`, `42` or `null` then has "no" fields: with all of
them optional, such a body was taken as an empty change and answered 200. Bodies are objects only.
"""

import re
from datetime import time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    ModelWrapValidatorHandler,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)


class BodyIn(Schema):
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo
    ) -> Any:
        # Replaces ninja's: a body is parsed JSON, and a dict is validated as it is instead of through
        # ninja's DjangoGetter (an attribute read per field, for validating model instances), which was
        # most of the schema's cost in a 500-item batch. Anything else goes the way ninja's does.
        if isinstance(values, dict) and not cls._ninja_resolvers:
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, data):
        # ninja's own validator has wrapped the input by now; look at what was sent.
        sent = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(sent, dict):
            raise ValueError(_("Send a JSON object ({…}) as the request body."))
        if _has_nul(sent):
            # PostgreSQL text cannot hold NUL (a 500, found by the API fuzzer). No name, address or
            # note means anything by one: it becomes U+FFFD, the replacement character, on both
            # databases, so lengths (and so what the schema allows) stay as sent.
            return _without_nul(sent)
        return data


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


# --- Identity values as the API takes them --------------------------------------------------------
# Each is the schema's statement of what `qrtrace.lib.identity` accepts, enforced by the schema's own
# validation too, so a request the schema accepts is not refused for these fields and one it refuses is
# a 422 naming the field (issue 12 §5). The API takes the spellings integrations send; the public
# forms, typed by people, take a few more separators.

_SEP = r"[ .()\-]*"


def _spaced(text: str) -> str:
    return _SEP.join(text)


# A Vietnamese number: +84 / 0084 / 84 / 0, then 9 digits starting 3, 5, 7, 8 or 9 (mobile) or 10
# starting 2 (landline); spaces, dots, dashes and brackets anywhere between the digits.
PHONE_PATTERN = (
    rf"^{_SEP}(\+{_SEP}8{_SEP}4|0{_SEP}0{_SEP}8{_SEP}4|8{_SEP}4|0){_SEP}"
    rf"([35789]({_SEP}[0-9]){{8}}|2({_SEP}[0-9]){{9}}){_SEP}$"
)


def _year() -> int:
    return timezone.localdate().year


def citizen_id_pattern(year: int) -> str:
    """12 digits: a province of birth 001-096, then century and sex (0-1: 1900s, 2-3: 2000s) and a year
    of birth not after `year`."""
    recent = year % 100
    tens, units = divmod(recent, 10)
    this_century = "|".join(
        [*(f"{t}[0-9]" for t in range(tens)), f"{tens}[0-{units}]"] if year < 2100 else ["[0-9]{2}"]
    )
    return rf"^(00[1-9]|0[1-8][0-9]|09[0-6])([01][0-9]{{2}}|[23]({this_century}))[0-9]{{6}}$"


PhoneIn = Annotated[
    str,
    Field(
        max_length=40,
        pattern=PHONE_PATTERN,
        description="A Vietnamese phone number: 0912345678, +84912345678, 0912 345 678, 024.3826.4321.",
    ),
]
CitizenIdIn = Annotated[
    str,
    Field(
        pattern=citizen_id_pattern(_year()),
        description="12 digits (CCCD): province of birth 001-096, century and sex, year of birth.",
    ),
]
BirthYearIn = Annotated[int, Field(ge=1900, le=_year(), description="Four digits, 1900 to this year.")]


def _coordinate(limit: int):
    """A latitude (`limit` 90) or longitude (180) as a JSON number in range, kept to 6 decimal places
    (about 0.1 m; the database column's precision): more places are rounded, not refused."""

    def check(value):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError(_("Send a number (degrees)."))
        value = Decimal(str(value))
        if not value.is_finite() or not -limit <= value <= limit:
            raise ValueError(_("Send a number from %(low)d to %(high)d.") % {"low": -limit, "high": limit})
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)

    schema = {
        "type": "number",
        "minimum": -limit,
        "maximum": limit,
        "description": "Degrees (WGS 84); kept to 6 decimal places, further places are rounded.",
    }
    return Annotated[Decimal, PlainValidator(check), WithJsonSchema(schema)]


Latitude = _coordinate(90)
Longitude = _coordinate(180)


# A wall-clock time in the deployment's time zone ("08:00", "08:00:00", "21:30:15.5"), never with an
# offset: opening hours are local, whatever the season (issue 12 §5: "format: time" promised offsets).
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _local_time(value):
    if not isinstance(value, str) or not re.fullmatch(LOCAL_TIME_PATTERN, value):
        raise ValueError(_("Give a local time as HH:MM or HH:MM:SS, without a time zone."))
    return time.fromisoformat(value)


LocalTime = Annotated[
    time,
    PlainValidator(_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": "Local time (HH:MM or HH:MM:SS), without an offset.",
        }
    ),
]
# The same, as answers give it ("format: time" would promise an offset).
LocalTimeOut = Annotated[
    time,
    WithJsonSchema({"type": "string", "pattern": LOCAL_TIME_PATTERN, "description": "Local time."}),
]
