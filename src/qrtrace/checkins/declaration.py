"""The health declaration (khai báo y tế) given with a check-in, and the colour staff read from it."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from qrtrace.lib.display import date_text

from .hooks import RestrictedAreaNote, restricted_areas_on
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


# The note under the "came from an area under restriction" question names this many areas at most,
# each name cut to this length: the scan page stays short on a phone (issue 18: under 30 KB).
NOTE_NAMED = 3
NOTE_NAME_CHARS = 60
_NOTES: dict[tuple, str] = {}
_NOTES_KEPT = 64


# Today, and the moments it starts and ends: the local date costs ~20 µs to work out (the current
# time zone's look-up and conversion), a seventh of the scan page's budget; a comparison costs ~2.
_TODAY: tuple[datetime, datetime, date] | None = None


def today() -> date:
    """The local date now, worked out once a day."""
    global _TODAY
    now = timezone.now()
    if _TODAY is None or not _TODAY[0] <= now < _TODAY[1]:
        day = timezone.localdate(now)
        start, end = (
            # In UTC, as `now` is: comparing datetimes of two time zones asks the local zone its offset.
            timezone.make_aware(datetime.combine(moment, time.min)).astimezone(UTC)
            for moment in (day, day + timedelta(days=1))
        )
        _TODAY = (start, end, day)
    return _TODAY[2]


def restricted_note(*, on: date) -> str:
    """The restricted areas in force on `on`, as one short line in the current language ("" if none):
    "Vùng đang phong tỏa, cách ly: Phường X (đến 12/12/2026), … và 2 vùng khác." The scan page asks
    for it on every request: the providers answer from memory, and the line is made once per language
    and list of areas."""
    areas = restricted_areas_on(on=on)
    if not areas:
        return ""
    key = (get_language(), tuple((area["name"], area["ends_on"]) for area in areas))
    note = _NOTES.get(key)
    if note is None:
        if len(_NOTES) >= _NOTES_KEPT:
            _NOTES.clear()
        note = _NOTES[key] = _note(areas)
    return note


def _note(areas: list[RestrictedAreaNote]) -> str:
    named = []
    for area in areas[:NOTE_NAMED]:
        name = Truncator(area["name"]).chars(NOTE_NAME_CHARS)
        ends_on = area["ends_on"]
        named.append(
            _("%(name)s (until %(day)s)") % {"name": name, "day": date_text(ends_on)} if ends_on else name
        )
    listed = ", ".join(named)
    more = len(areas) - len(named)
    if more:
        listed = ngettext(
            "%(areas)s and %(count)d other area", "%(areas)s and %(count)d other areas", more
        ) % {"areas": listed, "count": more}
    return _("Areas under restriction now: %(areas)s.") % {"areas": listed}
