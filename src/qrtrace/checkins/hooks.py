"""Extension points the apps above check-ins fill in, so this app never imports them.

`alert_providers`: tracing registers a callable that, given venue ids and a start time, returns the
exposure alerts published for those venues since then. The check-in page of a returning device shows
the alerts for the venues its person visited, so someone learns of a risk at their next scan.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypedDict


class VenueAlert(TypedDict):
    venue_id: int
    venue_name: str
    # The risky period at the venue; shown to the person so they can compare with their own visit.
    start: datetime
    end: datetime
    message: str


AlertProvider = Callable[[Iterable[int], datetime], list[VenueAlert]]
alert_providers: list[AlertProvider] = []


def register_alert_provider(provider: AlertProvider) -> AlertProvider:
    """Add `provider` (usable as a decorator); registering the same callable twice has no effect."""
    if provider not in alert_providers:
        alert_providers.append(provider)
    return provider


def venue_alerts(*, venue_ids: Iterable[int], since: datetime) -> list[VenueAlert]:
    """Every registered provider's alerts for these venues since `since`, oldest first."""
    ids = sorted(set(venue_ids))
    if not ids:
        return []
    alerts = [alert for provider in alert_providers for alert in provider(ids, since)]
    return sorted(alerts, key=lambda alert: alert["start"])
