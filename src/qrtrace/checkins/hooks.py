"""Extension points the apps above check-ins fill in, so this app never imports them.

`alert_providers`: tracing registers a callable that, given venue ids (None: every venue) and a start
time, returns the exposure alerts published for those venues since then. The check-in page of a
returning device shows the alerts for the venues its person visited, so someone learns of a risk at
their next scan.

`announcement_providers`: the public app registers a callable that, given commune codes, returns the
announcements to show on the check-in confirmation of venues there. The confirmation is on the hot
path (every check-in reads it once): a provider must answer from memory nearly always.

`restricted_area_providers`: the dashboard registers a callable that, given a day, returns the
restricted areas in force then, named on the scan page under the "came from an area under
restriction" question (the hottest page: from memory as well).
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypedDict


class VenueAlert(TypedDict):
    venue_id: int
    venue_name: str
    # The risky period at the venue; shown to the person so they can compare with their own visit.
    start: datetime
    end: datetime
    message: str


AlertProvider = Callable[[Iterable[int] | None, datetime], list[VenueAlert]]
alert_providers: list[AlertProvider] = []


def register_alert_provider(provider: AlertProvider) -> AlertProvider:
    """Add `provider` (usable as a decorator); registering the same callable twice has no effect."""
    if provider not in alert_providers:
        alert_providers.append(provider)
    return provider


def venue_alerts(*, venue_ids: Iterable[int] | None, since: datetime) -> list[VenueAlert]:
    """Every registered provider's alerts for these venues (None: for every venue) since `since`,
    oldest first."""
    ids = None if venue_ids is None else sorted(set(venue_ids))
    if ids == []:
        return []
    alerts = [alert for provider in alert_providers for alert in provider(ids, since)]
    return sorted(alerts, key=lambda alert: alert["start"])


class VenueAnnouncement(TypedDict):
    title: str
    body: str  # plain text; the page escapes it and links its URLs
    urgent: bool
    url: str  # the announcement's own public page


AnnouncementProvider = Callable[[Iterable[int]], list[VenueAnnouncement]]
announcement_providers: list[AnnouncementProvider] = []


def register_announcement_provider(provider: AnnouncementProvider) -> AnnouncementProvider:
    """Add `provider` (usable as a decorator); registering the same callable twice has no effect."""
    if provider not in announcement_providers:
        announcement_providers.append(provider)
    return provider


def venue_announcements(*, commune_ids: Iterable[int]) -> list[VenueAnnouncement]:
    """Every registered provider's current announcements for venues in these communes."""
    ids = sorted(set(commune_ids))
    if not ids:
        return []
    return [item for provider in announcement_providers for item in provider(ids)]


class RestrictedAreaNote(TypedDict):
    name: str
    ends_on: date | None  # None: until further notice


RestrictedAreaProvider = Callable[[date], list[RestrictedAreaNote]]
restricted_area_providers: list[RestrictedAreaProvider] = []


def register_restricted_area_provider(provider: RestrictedAreaProvider) -> RestrictedAreaProvider:
    """Add `provider` (usable as a decorator); registering the same callable twice has no effect.

    The dashboard registers one answering, for a day, the restricted areas (lockdown or isolation)
    in force then; the scan page names them under the "came from an area under restriction"
    question. It is asked on every scan: a provider must answer from memory nearly always."""
    if provider not in restricted_area_providers:
        restricted_area_providers.append(provider)
    return provider


def restricted_areas_on(*, on: date) -> list[RestrictedAreaNote]:
    """Every registered provider's restricted areas in force on `on`."""
    return [area for provider in restricted_area_providers for area in provider(on)]
