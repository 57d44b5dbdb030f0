"""Extension points for the apps above tracing, so tracing never imports them.

`quarantine_start_providers`: the quarantine app registers a callable that, given person ids,
returns when each of them entered quarantine; an F1's visits from then on pass nothing on (F2 rule).
"""

from collections.abc import Callable, Iterable
from datetime import datetime

QuarantineStartProvider = Callable[[Iterable[int]], dict[int, datetime]]
quarantine_start_providers: list[QuarantineStartProvider] = []


def register_quarantine_start_provider(provider: QuarantineStartProvider) -> QuarantineStartProvider:
    if provider not in quarantine_start_providers:
        quarantine_start_providers.append(provider)
    return provider


def quarantine_starts(person_ids: Iterable[int]) -> dict[int, datetime]:
    """The earliest quarantine start each registered provider knows for these people."""
    ids = sorted(set(person_ids))
    starts: dict[int, datetime] = {}
    for provider in quarantine_start_providers:
        for person, start in provider(ids).items():
            starts[person] = min(start, starts.get(person, start))
    return starts


# `case_link_providers`: apps above tracing add actions to a case's page (the quarantine app's "order
# quarantine for the F1"); each gets the official and the case and returns (label, url) pairs.
CaseLinkProvider = Callable[[object, object], list[tuple[str, str]]]
case_link_providers: list[CaseLinkProvider] = []


def register_case_link_provider(provider: CaseLinkProvider) -> CaseLinkProvider:
    if provider not in case_link_providers:
        case_link_providers.append(provider)
    return provider


def case_links(user, case) -> list[tuple[str, str]]:
    """The extra actions the apps above offer on this case's page, for this official."""
    return [link for provider in case_link_providers for link in provider(user, case)]
