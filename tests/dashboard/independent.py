"""Counts computed straight from the source tables, by a different route than the aggregates (plain
SQL over the rows, local days in Python), to check the dashboard against."""

from collections import Counter
from datetime import UTC, date, timedelta

from django.db import connection
from django.utils import timezone


def _local(moment) -> date:
    if isinstance(moment, str):  # SQLite hands back text for raw datetime columns
        moment = timezone.datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return timezone.localtime(moment).date()


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def checkins(communes: set[int], first: date, last: date) -> int:
    rows = _rows(
        "SELECT c.entered_at, v.commune_id FROM checkins_checkin c JOIN venues_venue v ON v.id = c.venue_id"
    )
    return sum(1 for entered, commune in rows if commune in communes and first <= _local(entered) <= last)


def new_cases(communes: set[int], first: date, last: date) -> int:
    rows = _rows(
        "SELECT k.confirmed_at, p.commune_id FROM tracing_case k "
        "JOIN checkins_person p ON p.id = k.person_id "
        "WHERE k.status <> 'discarded'"
    )
    return sum(1 for confirmed, commune in rows if commune in communes and first <= _local(confirmed) <= last)


def active_cases(communes: set[int], day: date) -> int:
    until = min(
        timezone.make_aware(timezone.datetime.combine(day + timedelta(days=1), timezone.datetime.min.time())),
        timezone.now(),
    )
    rows = _rows(
        "SELECT k.confirmed_at, k.closed_at, p.commune_id FROM tracing_case k "
        "JOIN checkins_person p ON p.id = k.person_id WHERE k.status <> 'discarded'"
    )
    count = 0
    for confirmed, closed, commune in rows:
        confirmed = _aware(confirmed)
        closed = _aware(closed) if closed is not None else None
        if commune in communes and confirmed < until and (closed is None or closed >= until):
            count += 1
    return count


def _aware(moment):
    if isinstance(moment, str):
        moment = timezone.datetime.fromisoformat(moment)
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


def exposures(communes: set[int], first: date, last: date, level: str) -> int:
    rows = _rows(
        "SELECT e.created_at, p.commune_id FROM tracing_exposure e "
        "JOIN checkins_person p ON p.id = e.person_id "
        "WHERE e.level = %s AND e.status <> 'dismissed'",
        [level],
    )
    return sum(1 for created, commune in rows if commune in communes and first <= _local(created) <= last)


def alerts(communes: set[int], first: date, last: date) -> int:
    rows = _rows(
        "SELECT a.published_at, v.commune_id FROM tracing_venuealert a "
        "JOIN venues_venue v ON v.id = a.venue_id "
        "WHERE a.status = 'published'"
    )
    return sum(1 for published, commune in rows if commune in communes and first <= _local(published) <= last)


def list_ready_hours(communes: set[int], first: date, last: date) -> Counter:
    rows = _rows(
        "SELECT k.confirmed_at, k.traced_at, p.commune_id FROM tracing_case k "
        "JOIN checkins_person p ON p.id = k.person_id "
        "WHERE k.status <> 'discarded' AND k.traced_at IS NOT NULL"
    )
    found = Counter()
    for confirmed, traced, commune in rows:
        if commune in communes and first <= _local(confirmed) <= last:
            found[int((_aware(traced) - _aware(confirmed)).total_seconds() // 3600)] += 1
    return found
