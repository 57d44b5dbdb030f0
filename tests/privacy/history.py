"""People and check-ins placed in the past, for the purge tests."""

from datetime import datetime, timedelta

from qrtrace.checkins.models import CheckIn
from qrtrace.people.models import Person
from tests.actors import make_person


def old_person(name: str, phone: str | None, *, now: datetime, **fields) -> Person:
    """Someone registered long ago, so the purge may delete them once their records go."""
    person = make_person(name, phone, **fields)
    Person.objects.filter(pk=person.pk).update(created_at=now - timedelta(days=60))
    return person


def visits(person: Person, venue, *days_ago: float, now: datetime) -> list[int]:
    """Check-ins `days_ago` before `now`, each with a declaration (a symptom) stored on the row and
    purged with it; returns their ids."""
    made = CheckIn.objects.bulk_create(
        CheckIn(venue=venue, person=person, entered_at=now - timedelta(days=d), method="api", cough=True)
        for d in days_ago
    )
    return [c.pk for c in made]
