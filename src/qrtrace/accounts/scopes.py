"""How an official's area code is located, per role.

Provinces and communes are resolved here. Venues and quarantine facilities live in apps above this
one, so those apps register a resolver when they load (dependency inversion keeps the data flow one
way: accounts never imports them).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qrtrace.geo.models import Commune, Province

from .models import Role


@dataclass(frozen=True)
class Area:
    code: str
    province_code: int
    commune_code: int | None


AreaResolver = Callable[[str], Area]
_resolvers: dict[str, AreaResolver] = {}


def register_area_resolver(role: str, resolver: AreaResolver) -> None:
    _resolvers[role] = resolver


def _province(code: str) -> Area:
    province = Province.objects.filter(code=int(code) if code.isdigit() else -1).first()
    if province is None:
        raise ValidationError(_("There is no province with code %(code)s.") % {"code": code})
    return Area(code=str(province.code), province_code=province.code, commune_code=None)


def _commune(code: str) -> Area:
    commune = Commune.objects.filter(code=int(code) if code.isdigit() else -1).first()
    if commune is None:
        raise ValidationError(_("There is no commune with code %(code)s.") % {"code": code})
    return Area(code=str(commune.code), province_code=commune.province_id, commune_code=commune.code)


register_area_resolver(Role.PROVINCE, _province)
register_area_resolver(Role.ADMIN, _province)
register_area_resolver(Role.COMMUNE, _commune)


def resolve_area(role: str, code: str) -> Area:
    resolver = _resolvers.get(role)
    if resolver is None:
        raise ValidationError(_("Role %(role)s cannot be assigned yet.") % {"role": role})
    return resolver(code.strip())
