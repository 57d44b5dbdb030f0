from ninja import Field, Router, Schema

from qrtrace.lib.errors import ERRORS, DbInt

from . import selectors

router = Router(tags=["geo"])


class CommuneOut(Schema):
    code: int
    name: str
    division_type: str
    province_code: int = Field(alias="province_id")


class ProvinceOut(Schema):
    code: int
    name: str
    division_type: str


@router.get("/geo/provinces", response={200: list[ProvinceOut], **ERRORS}, auth=None)
def provinces(request):
    return selectors.province_list()


@router.get("/geo/communes", response={200: list[CommuneOut], **ERRORS}, auth=None)
def communes(request, province: DbInt):
    """All communes of a province (`province` is its code, e.g. 38 for Thanh Hóa)."""
    return selectors.province_communes(province_code=province)
