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
