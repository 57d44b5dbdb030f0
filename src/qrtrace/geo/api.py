from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from qrtrace.lib.errors import DbInt, error_responses

from . import selectors

router = Router(tags=["geo"])


class CommuneOut(Schema):
    code: int
    name: str
    division_type: str
    province_code: int


class ProvinceOut(Schema):
    code: int
    name: str
    division_type: str


@router.get("/geo/provinces", response=list[ProvinceOut], auth=None)
def provinces(request):
    return list(selectors.province_list().values("code", "name", "division_type"))


@router.get("/geo/communes", response={200: list[CommuneOut], **error_responses(404, 422)}, auth=None)
def communes(request, province: DbInt):
    """All communes of a province (`province` is its code, e.g. 38 for Thanh Hóa)."""
    if not selectors.province_list().filter(code=province).exists():
        raise Http404(_("There is no province with code %(code)s.") % {"code": province})
    return [
        CommuneOut(code=c.code, name=c.name, division_type=c.division_type, province_code=c.province_id)
        for c in selectors.commune_list(province_code=province)
    ]
