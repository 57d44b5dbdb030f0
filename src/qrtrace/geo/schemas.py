"""API types for administrative units, so the schema says which codes the server takes.

A commune code the API accepts is one of the deployment's province (`QRTRACE_PROVINCE`): the schema
lists them (`enum`), read from the installed `vietnam-provinces` package — the same data `geo_sync`
keeps the database in step with — so building the schema needs no database. A request the schema
accepts is not then refused for its commune (issue 12 §5).
"""

from functools import cache
from typing import Annotated

from django.conf import settings
from pydantic import AfterValidator
from vietnam_provinces import Ward


@cache
def province_commune_codes() -> tuple[int, ...]:
    """The commune codes of the deployment's province, in order."""
    province = settings.QRTRACE_PROVINCE
    return tuple(sorted(int(w.code) for w in Ward.iter_all() if int(w.province_code) == province))


def _in_province(code: int) -> int:
    if code not in province_commune_codes():
        raise ValueError("not a commune of this province")
    return code


def _schema() -> dict:
    return {
        "type": "integer",
        "enum": list(province_commune_codes()),
        "description": "A commune (xã, phường) of this province, by its code (`GET /api/v1/geo/…`).",
    }


class _CommuneSchema:
    """The enum is read when the schema is built, not when this module is imported (settings)."""

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        return _schema()


ProvinceCommune = Annotated[int, AfterValidator(_in_province), _CommuneSchema()]
