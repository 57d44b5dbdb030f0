"""The one pagination of the API: `limit` and `offset`, both bounded in the schema.

Limit/offset because two of the three lists already spoke it (venues, a case's exposures), so it
changed the fewest clients, and because a gate or an integration that syncs reads "the next N after
the ones I have" without knowing a page size in advance. The bounds sit in the OpenAPI schema: a
request the schema accepts is never refused, and one past them is a 422 naming the parameter (an
offset past 64 bits would otherwise be a database error, a 500).
"""

from typing import Any, NamedTuple

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_OFFSET = 10**9
# `@paginate(Pagination, pass_parameter=WINDOW)` hands the handler its limit and offset as kwargs[WINDOW].
WINDOW = "window"


class Page(NamedTuple):
    """One page a selector has already cut, for lists whose read is audited: the audit event must
    name exactly the rows sent, so the selector pages and audits in one step and hands back this."""

    count: int
    items: list


class Pagination(LimitOffsetPagination):
    """Use as `@paginate(Pagination)` on an operation whose `response=` is `{200: list[ItemOut], …}`:
    the answer is `{"items": […], "count": N}`. The handler returns a QuerySet (sliced here) or a
    `Page`; with `pass_parameter=WINDOW` it receives the limit and offset to cut that page."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items at most (1 to {MAX_LIMIT})."
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description=f"How many items to skip first (0 to {MAX_OFFSET})."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet | Page, pagination: Input, request, **params: Any
    ) -> dict[str, Any]:
        if isinstance(queryset, Page):
            return {self.items_attribute: queryset.items, "count": queryset.count}
        return super().paginate_queryset(queryset, pagination, request, **params)
