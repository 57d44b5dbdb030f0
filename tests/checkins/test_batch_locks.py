"""What a gate device's batch waits for on PostgreSQL, and what it does not (checkins.services.batch).

A batch still open in one thread holds its locks; another thread's batch or declaration then either
finishes at once (another venue) or waits for it and answers the visit it recorded (the same venue).
"""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.services.batch import Outcome, VisitItem, checkins_batch_record
from qrtrace.checkins.services.visits import checkin_record
from qrtrace.people.identity import Identity
from tests import actors
from tests.threads import at_once, in_thread

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SOON = 5  # seconds: far longer than a batch of two takes, far shorter than a lock wait's test


def _visit(venue, identity: Identity, minutes_ago: int = 20) -> VisitItem:
    return VisitItem(
        client_id=uuid.uuid4(),
        venue_code=venue.code,
        identity=identity,
        entered_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


class _Held:
    """`checkins_batch_record(items)` in a thread, its transaction kept open until `release()`."""

    def __init__(self, user, items) -> None:
        self.recorded, self.release_event = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, args=(user, items))
        self.thread.start()
        assert self.recorded.wait(SOON)

    def _run(self, user, items) -> None:
        try:
            with transaction.atomic():
                checkins_batch_record(user=user, items=items)
                self.recorded.set()
                self.release_event.wait(60)
        finally:
            connection.close()

    def release(self) -> None:
        self.release_event.set()
        self.thread.join(SOON)


@pytest.fixture
def scene():
    official = actors.make_official("province_gate", "province", "38")
    market, clinic = (
        actors.make_venue("Chợ Vườn Hoa"),
        actors.make_venue("Bệnh viện Đa khoa tỉnh", kind="hospital"),
    )
    shared = Identity(full_name="Nguyễn Văn A", phone="+84912345678")
    actors.make_person(shared.full_name, phone=shared.phone)
    others = [Identity(full_name=f"Người {n}", phone=f"+8491230{n:04d}") for n in range(20)]
    return official, market, clinic, shared, others


def _outcomes(result) -> list[str]:
    return [item.status for item in result.items]


def test_a_batch_sharing_a_person_at_another_venue_does_not_wait_for_the_first(scene):
    official, market, clinic, shared, others = scene
    held = _Held(official, [_visit(market, shared), *(_visit(market, o) for o in others[:10])])
    try:
        thread, done = in_thread(
            lambda: checkins_batch_record(
                user=official,
                items=[_visit(clinic, shared, 10), *(_visit(clinic, o, 10) for o in others[10:])],
            )
        )
        thread.join(SOON)
        assert not thread.is_alive(), "the second batch waited for the first one's people"
        assert _outcomes(done[0]) == [Outcome.RECORDED] * 11
    finally:
        held.release()
    assert CheckIn.objects.count() == 22


def test_a_batch_with_the_same_visit_waits_for_the_first_and_answers_its_visit(scene):
    official, market, _clinic, shared, others = scene
    held = _Held(official, [_visit(market, shared), _visit(market, others[0])])
    thread, done = in_thread(lambda: checkins_batch_record(user=official, items=[_visit(market, shared, 15)]))
    thread.join(1)
    assert thread.is_alive(), "the second batch recorded the person at the same venue beside the first"
    held.release()
    thread.join(SOON)
    (item,) = done[0].items
    first = CheckIn.objects.get(venue=market, person__full_name=shared.full_name)
    assert (item.status, item.id) == (Outcome.DUPLICATE, first.pk)
    assert CheckIn.objects.filter(venue=market).count() == 2


def test_a_declaration_waits_for_a_batch_holding_its_person_and_finds_the_batchs_visit(scene):
    official, market, _clinic, shared, _others = scene
    held = _Held(official, [_visit(market, shared)])

    def declare():
        return checkin_record(
            user=official,
            venue_code=market.code,
            identity=shared,
            declaration=None,
            entered_at=None,
            left_at=None,
        )

    thread, done = in_thread(declare)
    thread.join(1)
    assert thread.is_alive(), "a declaration did not wait for the batch holding its person"
    held.release()
    thread.join(SOON)
    checkin, created = done[0]
    assert not created and CheckIn.objects.get().pk == checkin.pk


def test_batches_racing_with_the_same_people_at_one_venue_record_each_visit_once(scene):
    official, market, _clinic, shared, others = scene
    people = [shared, *others[:5]]
    results = at_once(
        [lambda: checkins_batch_record(user=official, items=[_visit(market, p) for p in people])] * 4,
        timeout=30,
    )
    statuses = sorted(status for result in results for status in _outcomes(result))
    assert statuses == [Outcome.DUPLICATE] * 18 + [Outcome.RECORDED] * 6
    assert CheckIn.objects.filter(venue=market).count() == 6
