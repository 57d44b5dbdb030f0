"""The health declaration (khai báo y tế) given with a check-in, and the colour staff read from it."""

from collections.abc import Mapping

from .models import Risk

SYMPTOMS = ("fever", "cough", "breathless", "sore_throat", "lost_taste_smell")
EXPOSURES = ("contact_with_case", "travel_from_restricted")
FIELDS = SYMPTOMS + EXPOSURES


def declaration_clean(raw: Mapping[str, object] | None) -> dict[str, bool]:
    """Every declaration field as a bool; anything not declared counts as "no"."""
    raw = raw or {}
    return {name: bool(raw.get(name, False)) for name in FIELDS}


def declaration_risk(declaration: Mapping[str, bool]) -> str:
    """Red for any symptom, yellow for a possible exposure, green otherwise (the gate's colour code)."""
    if any(declaration.get(name) for name in SYMPTOMS):
        return Risk.RED
    if any(declaration.get(name) for name in EXPOSURES):
        return Risk.YELLOW
    return Risk.GREEN
