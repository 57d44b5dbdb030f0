from functools import cache

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Commune, Province


def commune_list(*, province_code: int) -> QuerySet[Commune]:
    return Commune.objects.filter(province_id=province_code).order_by("name")


def province_communes(*, province_code: int) -> QuerySet[Commune]:
    """The communes of a province that exists (404 otherwise, rather than an empty list)."""
    if not Province.objects.filter(code=province_code).exists():
        raise Http404(_("There is no province with code %(code)s.") % {"code": province_code})
    return commune_list(province_code=province_code)


def province_list() -> QuerySet[Province]:
    return Province.objects.order_by("name")


@cache
def commune_province_code(commune_code: int) -> int | None:
    """Province of a commune. Cached for the process: administrative units change by decree."""
    return Commune.objects.filter(code=commune_code).values_list("province_id", flat=True).first()
