"""20 gate devices syncing their queues at once, against a real server (SQLite file or PostgreSQL).

Each device sends a batch that shares some items with its neighbour's (a visit both heard of, as when
a phone's queue was copied to a spare) and then sends it all again, as a device does when the answer
was lost. The database must hold each visit exactly once and no request may fail.
"""

import functools
import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.servers import LiveDatabase, free_port, stop, wait_until_up
from tests.threads import at_once

DEVICES = 20
OWN, SHARED = 40, 10

_SETUP = """
from qrtrace.accounts.services import api_token_create
from tests import actors
venue = actors.make_venue("Bệnh viện Đa khoa tỉnh", kind="hospital")
staff = actors.make_official("gate_sync", "venue", venue.code)
print(venue.code, api_token_create(user=staff))
"""


@pytest.fixture
def live(tmp_path):
    database = LiveDatabase(tmp_path)
    code, token = database.shell(_SETUP).split()[-2:]
    port = free_port()
    process = database.start("serve", "--port", str(port), "--workers", "4", "--threads", "8", "--no-worker")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield database, base, code, token
    finally:
        stop(process)
        database.drop()


def _item(code: str, client_id: str, n: int) -> dict:
    entered = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=60 + n % 50)
    return {
        "client_id": client_id,
        "venue_code": code,
        "person": {"phone": f"097{n:07d}", "full_name": f"Bệnh nhân {n}"},
        "entered_at": entered.isoformat(),
    }


def _send(base: str, token: str, items: list, answers: list) -> None:
    request = urllib.request.Request(
        f"{base}/api/v1/checkins/batch",
        data=json.dumps({"items": items}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            answers.append((response.status, json.loads(response.read())))
    except Exception as error:  # collected, so one failure does not hide the others
        answers.append((getattr(error, "code", None), str(error)))


def test_twenty_devices_syncing_at_once_lose_and_duplicate_nothing(live):
    database, base, code, token = live
    ids = [str(uuid.uuid4()) for _ in range(DEVICES * OWN)]
    everything = {client_id: _item(code, client_id, n) for n, client_id in enumerate(ids)}
    batches = []
    for device in range(DEVICES):
        own = ids[device * OWN : (device + 1) * OWN]
        neighbour = ids[((device + 1) % DEVICES) * OWN :][:SHARED]
        batches.append([everything[client_id] for client_id in own + neighbour])
    answers: list = []

    def device(items):
        _send(base, token, items, answers)
        _send(base, token, items, answers)  # the answer was lost: the whole queue again

    at_once([functools.partial(device, items) for items in batches])

    assert [status for status, _body in answers] == [200] * (2 * DEVICES), answers[:3]
    assert all(body["refused"] == 0 for _status, body in answers)
    recorded = sum(body["recorded"] for _status, body in answers)
    assert recorded == len(ids)
    rows = database.sql("SELECT client_id FROM checkins_checkin")
    assert sorted(str(uuid.UUID(str(client_id))) for (client_id,) in rows) == sorted(ids)
