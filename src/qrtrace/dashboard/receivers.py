"""How the dashboard fills the registries of the apps below it (connected in DashboardConfig.ready).

The scan page names the restricted areas in force today under its "came from an area under
restriction" question. It is the hottest page (issue 18: ≤ 1.5 ms of CPU a request), so the areas
of a day are kept per process: a change to an area (created, changed, ended, deleted) clears this
process's copy at once and again when its transaction commits; other processes see it within
CACHE_SECONDS, the way the public app keeps its announcements.
"""

import time
from datetime import date

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from qrtrace.checkins.hooks import RestrictedAreaNote, register_restricted_area_provider

from .models import RestrictedArea
from .selectors import restricted_areas_active

CACHE_SECONDS = 30
_cache: dict[date, tuple[float, list[RestrictedAreaNote]]] = {}


def restricted_areas_cache_clear() -> None:
    """Drop this process's copy of the restricted areas in force."""
    _cache.clear()


def _area_changed(**_signal) -> None:
    # Now, and once more when the transaction commits: a request between the two would otherwise
    # keep what it read before the commit.
    restricted_areas_cache_clear()
    transaction.on_commit(restricted_areas_cache_clear)


@register_restricted_area_provider
def restricted_areas_for_scan_page(on: date) -> list[RestrictedAreaNote]:
    entry = _cache.get(on)
    clock = time.monotonic()
    if entry is not None and clock - entry[0] <= CACHE_SECONDS:
        return entry[1]
    areas = [
        {"name": area.name, "ends_on": area.ends_on} for area in restricted_areas_active(first=on, last=on)
    ]
    _cache.clear()  # one day kept: yesterday's copy is of no more use
    _cache[on] = (clock, areas)
    return areas


# Only the name and the dates reach the note: a change to the communes alone needs no clearing.
post_save.connect(_area_changed, sender=RestrictedArea, dispatch_uid="restricted-note-save")
post_delete.connect(_area_changed, sender=RestrictedArea, dispatch_uid="restricted-note-delete")
