"""Errors that services raise and every interface (pages, API, CLI) maps to an answer.

Services also raise Django's own ValidationError (400), PermissionDenied (403) and
ObjectDoesNotExist (404); these cover what Django has no word for.
"""

from typing import Annotated, Any

from ninja import Field, Schema


class Conflict(Exception):
    """The request clashes with the current state (409), e.g. approving a closed venue."""


class ErrorOut(Schema):
    """The body of every refused API request: a message, {field: [messages]} (400) or the list of
    schema errors (422). qrtrace.api.api gives each error its status."""

    detail: str | dict[str, list[str]] | list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """OpenAPI `responses` for the errors an operation may answer, to merge into its `response=`:
    clients (and schemathesis) then know every status the API can send."""
    return dict.fromkeys(codes, ErrorOut)


# An integer a database column can hold. Ids and codes in paths and queries use it, so a larger one
# is refused as invalid input (422) instead of overflowing the query (a 500 on SQLite and PostgreSQL).
DbInt = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
