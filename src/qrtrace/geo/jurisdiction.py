"""Where an official may act: the one rule every app uses to scope reads and writes.

Areas nest province → commune → venue. A province official covers every commune of the province and
every venue in them; a commune official covers that commune's venues; a venue's staff cover only that
venue; quarantine staff cover their facility. Administrators cover everything.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from .selectors import commune_province_code


@dataclass(frozen=True)
class Jurisdiction:
    everywhere: bool = False
    provinces: frozenset[int] = field(default_factory=frozenset)
    communes: frozenset[int] = field(default_factory=frozenset)
    venues: frozenset[str] = field(default_factory=frozenset)
    facilities: frozenset[str] = field(default_factory=frozenset)

    @property
    def covers_areas(self) -> bool:
        """True for officials of a whole province or commune (not only a venue or facility)."""
        return self.everywhere or bool(self.provinces or self.communes)

    def covers_commune(self, commune_code: int | None) -> bool:
        if self.everywhere:
            return True
        if commune_code is None:
            return False
        return commune_code in self.communes or commune_province_code(commune_code) in self.provinces

    def covers_venue(self, *, venue_code: str, commune_code: int | None) -> bool:
        return venue_code in self.venues or self.covers_commune(commune_code)

    def area_q(self, commune_field: str = "commune") -> Q:
        """A filter keeping rows whose commune lies in this jurisdiction (venues not included)."""
        if self.everywhere:
            return Q()
        return Q(**{f"{commune_field}__in": self.communes}) | Q(
            **{f"{commune_field}__province__in": self.provinces}
        )

    def venue_q(self, venue_field: str = "") -> Q:
        """A filter for venue rows (or rows pointing at a venue through `venue_field`)."""
        prefix = f"{venue_field}__" if venue_field else ""
        if self.everywhere:
            return Q()
        return self.area_q(f"{prefix}commune") | Q(**{f"{prefix}code__in": self.venues})


NOWHERE = Jurisdiction()
EVERYWHERE = Jurisdiction(everywhere=True)
