from datetime import timedelta

import pytest

from qrtrace.accounts.services import api_token_create
from qrtrace.checkins.models import CheckIn
from tests import actors

from .reference import T0, World


@pytest.fixture
def bearer():
    """Authorization headers for an official's API token."""

    def headers(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_token_create(user=user)}"}

    return headers


def store_world(world: World, *, commune: int = actors.COMMUNE_A):
    """Write a random world to the database; returns (people, venues, check-ins) in world order."""
    from qrtrace.people.models import Person

    venues = [
        actors.make_venue(f"Địa điểm {i}", commune, default_stay_minutes=stay)
        for i, stay in enumerate(world.stays)
    ]
    people = Person.objects.bulk_create(
        [Person(full_name=f"Người {i}", commune_id=commune) for i in range(world.people)]
    )
    checkins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                venue=venues[v.venue],
                person=people[v.person],
                entered_at=v.entered,
                left_at=v.left,
                method="self_scan",
            )
            for v in world.visits
        ]
    )
    return people, venues, checkins


@pytest.fixture
def traced(province_official):
    """A case traced by the province: one F1, met at a market (a name that starts like a formula)."""
    from qrtrace.tracing.models import Case
    from qrtrace.tracing.services import case_trace

    market = actors.make_venue("Chợ Vườn Hoa")
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    contact = actors.make_person('=HYPERLINK("x")', "+84912000002", commune_id=actors.COMMUNE_A)
    visit(f0, market, 20)
    visit(contact, market, 20.5)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=case, actor=province_official)
    return case, market, contact


def visit(person, venue, start_hours: float, stay_minutes: int | None = 60):
    entered = T0 + timedelta(hours=start_hours)
    left = None if stay_minutes is None else entered + timedelta(minutes=stay_minutes)
    return CheckIn.objects.create(
        venue=venue, person=person, entered_at=entered, left_at=left, method="self_scan"
    )
