"""Keep the administrative units in step with the installed `vietnam-provinces` package."""

from django.db import transaction
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import Ward as VnWard

from .models import Commune, Province


@transaction.atomic
def geo_sync() -> tuple[int, int]:
    """Insert or update every province and commune; return how many rows were written.

    Runs after each `migrate`, so upgrading the package (new names after a reorganisation) is
    picked up without a hand-written data migration. Units no longer in the package are kept:
    venues and people may still point at them.
    """
    provinces = [
        Province(code=int(p.code), name=p.name, codename=p.codename, division_type=p.division_type.value)
        for p in VnProvince.iter_all()
    ]
    communes = [
        Commune(
            code=int(w.code),
            province_id=int(w.province_code),
            name=w.name,
            codename=w.codename,
            division_type=w.division_type.value,
        )
        for w in VnWard.iter_all()
    ]
    return _upsert(Province, provinces, ["name", "codename", "division_type"]), _upsert(
        Commune, communes, ["province", "name", "codename", "division_type"]
    )


def _upsert(model: type[Province | Commune], rows: list, fields: list[str]) -> int:
    attnames = [model._meta.get_field(f).attname for f in fields]
    existing = {pk: tuple(rest) for pk, *rest in model.objects.values_list("pk", *attnames)}
    changed = [row for row in rows if existing.get(row.pk) != tuple(getattr(row, a) for a in attnames)]
    if changed:
        model.objects.bulk_create(
            changed, batch_size=500, update_conflicts=True, unique_fields=["code"], update_fields=fields
        )
    return len(changed)
