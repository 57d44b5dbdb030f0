"""A small province for the dashboard's tests: venues with and without coordinates in communes A and
B, check-ins over two weeks, cases, their F1/F2, messages sent, published alerts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qrtrace.checkins.models import CheckIn
from qrtrace.dashboard import aggregates
from qrtrace.notifications.models import Message, MessageStatus
from qrtrace.tracing.models import AlertStatus, Case, CaseStatus, Exposure, Level, VenueAlert
from tests import actors

A, B = actors.COMMUNE_A, actors.COMMUNE_B
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


@dataclass
class Province:
    today: date
    venues: list
    people: list
    cases: list


def build_province(today: date | None = None) -> Province:
    today = today or timezone.localdate()
    venue_a = actors.make_venue("Chợ Vườn Hoa", A, lat=Decimal("19.807"), lng=Decimal("105.776"))
    venue_a2 = actors.make_venue(
        "Trường THCS Điện Biên", A, kind="school", lat=Decimal("19.811"), lng=Decimal("105.780")
    )
    venue_b = actors.make_venue(
        "Siêu thị Quảng Phú", B, kind="shop", lat=Decimal("19.760"), lng=Decimal("105.850")
    )
    venue_b_nowhere = actors.make_venue("Quán Không Toạ Độ", B, kind="restaurant")
    people = [
        actors.make_person(name, f"+8491200{index:04d}", commune_id=A if index % 2 == 0 else B)
        for index, name in enumerate(NAMES * 2)
    ]
    checkins = []
    for offset in range(14):
        day = today - timedelta(days=offset)
        for index, person in enumerate(people):
            if (index + offset) % 3 == 0:
                venue = (venue_a, venue_a2, venue_b, venue_b_nowhere)[(index + offset) % 4]
                checkins.append(
                    CheckIn(venue=venue, person=person, entered_at=at(day, 8 + index % 8), method="self_scan")
                )
    CheckIn.objects.bulk_create(checkins)
    cases = []
    for offset, person in ((0, people[0]), (2, people[1]), (3, people[2]), (9, people[3])):
        confirmed = at(today - timedelta(days=offset), 7)
        cases.append(
            Case.objects.create(
                person=person, confirmed_at=confirmed, traced_at=confirmed + timedelta(hours=3 + offset)
            )
        )
    # A discarded case counts nowhere; a recovered one stops being active when it closed.
    Case.objects.create(
        person=people[4],
        confirmed_at=at(today - timedelta(days=1), 9),
        status=CaseStatus.DISCARDED,
        closed_at=at(today, 6),
    )
    recovered = cases[3]
    recovered.status, recovered.closed_at = CaseStatus.RECOVERED, at(today - timedelta(days=4), 12)
    recovered.save()
    for index, case in enumerate(cases):
        for level, contact in ((Level.F1, people[5 + index]), (Level.F2, people[(6 + index) % 10])):
            exposure = Exposure.objects.create(
                case=case, person=contact, level=level, source_person=case.person
            )
            Exposure.objects.filter(pk=exposure.pk).update(created_at=case.traced_at)
            if level == Level.F1:
                Message.objects.create(
                    person=contact,
                    reference=f"case:{case.pk}",
                    body="F1",
                    status=MessageStatus.SENT,
                    next_attempt_at=case.traced_at,
                    sent_at=case.confirmed_at + timedelta(hours=5 + index),
                )
    for case, venue in ((cases[0], venue_a), (cases[1], venue_b), (cases[2], venue_b_nowhere)):
        VenueAlert.objects.create(
            case=case,
            venue=venue,
            starts_at=case.confirmed_at - timedelta(days=1),
            ends_at=case.confirmed_at - timedelta(hours=20),
            status=AlertStatus.PUBLISHED,
            published_at=case.traced_at,
        )
    return Province(today, [venue_a, venue_a2, venue_b, venue_b_nowhere], people, cases)


@pytest.fixture
def province(db) -> Province:
    data = build_province()
    aggregates.refresh(days=20, today=data.today)
    return data
