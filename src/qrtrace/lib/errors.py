"""Errors that services raise and every interface (pages, API, CLI) maps to an answer.

Services also raise Django's own ValidationError (400), PermissionDenied (403) and
ObjectDoesNotExist (404); these cover what Django has no word for.
"""

from datetime import datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError


class Conflict(Exception):
    """The request clashes with the current state (409), e.g. approving a closed venue."""


class ErrorOut(Schema):
    """The body of every refused API request: a message, {field: [messages]} (400) or the list of
    schema errors (422). qrtrace.api.api gives each error its status."""

    detail: str | dict[str, list[str]] | list[dict[str, Any]]


# The errors any API operation may answer besides success, merged into every `response=` (qrtrace.api.api
# maps each exception to its code): clients (and schemathesis) then know every status the API sends.
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


# An integer a database column can hold. Ids and codes in paths and queries use it, so a larger one
# is refused as invalid input (422) instead of overflowing the query (a 500 on SQLite and PostgreSQL).
DbInt = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _with_offset(value: datetime) -> datetime:
    # A time without an offset is ambiguous: a gate device or an integration may sit in any time
    # zone, and "assume local time" silently shifts a visit by hours when it does not.
    if value.utcoffset() is None:
        raise PydanticCustomError(
            "timezone_aware", _("Give the time in ISO 8601 with its offset, e.g. 2026-11-25T08:30:00+07:00.")
        )
    return value


# Every time the API takes: ISO 8601 with its offset (`Z` or `+07:00`); one without is a 422 naming the
# field. (pydantic's AwareDatetime says the same, in English only.)
AwareTime = Annotated[
    datetime,
    AfterValidator(_with_offset),
    Field(description="ISO 8601 with its offset, e.g. 2026-11-25T08:30:00+07:00; without one it is refused."),
]
