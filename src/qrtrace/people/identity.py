"""Who someone says they are, as the people services take it: one `Identity`, normalised at the edge.

The normalisers themselves (phone, citizen ID, birth year) live in `qrtrace.lib.identity`; this is
the glue every way in shares: a name compared the same way everywhere, and raw values turned into an
`Identity` or into a ValidationError on the field that was wrong.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from qrtrace.lib.identity import InvalidIdentity, normalize_citizen_id, normalize_phone, parse_birth_year


@dataclass(frozen=True)
class Identity:
    """Who is checking in (or is registered), already normalised by the form or API schema."""

    full_name: str
    phone: str | None = None  # +84…
    citizen_id: str | None = None
    birth_year: int | None = None
    commune_id: int | None = None


def normalize_name(name: str) -> str:
    """A name as stored: runs of spaces (and tabs, no-break spaces…) become one space."""
    return " ".join(name.split())


def same_name(first: str, second: str) -> bool:
    """Whether two spellings are the same name: spacing and capitals do not count."""
    return normalize_name(first).casefold() == normalize_name(second).casefold()


def identity_parse(
    *,
    full_name: str,
    phone: str | None = None,
    citizen_id: str | None = None,
    birth_year: str | int | None = None,
    commune_id: int | None = None,
    prefix: str = "",
) -> Identity:
    """An Identity from raw values (None: not given); every value refused is reported at once, on its
    field (`prefix` + name, e.g. "person.phone")."""
    errors = {}
    values = {}
    for field, normalise, raw in (
        ("phone", normalize_phone, phone),
        ("citizen_id", normalize_citizen_id, citizen_id),
        ("birth_year", parse_birth_year, birth_year),
    ):
        try:
            values[field] = normalise(raw) if raw is not None else None
        except InvalidIdentity as exc:
            errors[f"{prefix}{field}"] = [str(exc.message)]
    if errors:
        raise ValidationError(errors)
    return Identity(full_name=normalize_name(full_name), commune_id=commune_id, **values)
