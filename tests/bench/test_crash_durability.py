"""Acceptance: the server is killed with SIGKILL during a load run (single check-ins, or gate devices
syncing batches), and after a restart every check-in that got a 2xx answer is in the database."""

import http.client
import itertools
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import psycopg
import pytest
from bench.harness import ROOT, fresh_database
from bench.server import kill_hard, start, stop

from tests.servers import free_port

CLIENTS = 8


def _qrtrace(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "qrtrace.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def _stored_ids(url: str, ids: list[int]) -> set[int]:
    """Which of `ids` the database holds, read straight from it (not through the server)."""
    if url.startswith("sqlite:"):
        with sqlite3.connect(urlsplit(url).path) as db:
            rows = db.execute(
                "SELECT id FROM checkins_checkin WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(ids)],
            )
            return {row[0] for row in rows}
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return {row[0] for row in db.execute("SELECT id FROM checkins_checkin WHERE id = ANY(%s)", [ids])}


def _client(
    port: int, token: str, venue: str, numbers, acked: list[int], stop_event: threading.Event
) -> None:
    """Send check-ins one after another on one connection; keep the id of every 2xx answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while not stop_event.is_set():
        number = next(numbers)
        body = json.dumps(
            {"venue_code": venue, "person": {"phone": f"09{number:08d}", "full_name": "Lê Văn Tải"}}
        )
        try:
            connection.request("POST", "/api/v1/checkins", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            return  # the server is gone: whatever was not answered was never promised
        if 200 <= response.status < 300:
            acked.append(json.loads(payload)["id"])


def _batch_client(
    port: int, token: str, venue: str, numbers, acked: list[int], stop_event: threading.Event
) -> None:
    """Send batches of 100 (a gate device syncing), keep the ids of the items every 2xx answer recorded."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while not stop_event.is_set():
        items = [
            {
                "client_id": str(uuid.uuid4()),
                "venue_code": venue,
                "entered_at": datetime.now(UTC).isoformat(),
                "person": {"phone": f"09{number:08d}", "full_name": "Lê Văn Tải"},
            }
            for number in itertools.islice(numbers, 100)
        ]
        try:
            connection.request(
                "POST", "/api/v1/checkins/batch", body=json.dumps({"items": items}), headers=headers
            )
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            return
        if 200 <= response.status < 300:
            acked.extend(item["id"] for item in json.loads(payload)["items"] if item["status"] != "refused")


@pytest.mark.django_db
@pytest.mark.parametrize("client", [_client, _batch_client], ids=["single", "batch"])
def test_every_acknowledged_check_in_survives_a_sigkill_of_the_server(bench_database_url, tmp_path, client):
    env = {**os.environ, "DATABASE_URL": bench_database_url, "QRTRACE_DATA_DIR": str(tmp_path)}
    env["PYTHONPATH"] = str(ROOT / "src")
    fresh_database(bench_database_url)
    _qrtrace(env, "migrate", "-v0")
    _qrtrace(env, "demo", "--communes", "1", "--venues", "1", "--people", "1", "--days", "1", "--no-progress")
    token = _qrtrace(env, "official", "add", "loadtest", "--role", "province", "--area", "38", "--token")
    token = token.strip().splitlines()[-1]
    venue = _qrtrace(
        env, "shell", "-c", "from qrtrace.venues.models import Venue; print(Venue.objects.get().code)"
    ).splitlines()[-1]

    port = free_port()
    server = start(env, port=port, log=tmp_path / "server.log")
    acked: list[int] = []
    stop_event, numbers = threading.Event(), itertools.count(10_000_000)
    clients = [
        threading.Thread(target=client, args=(port, token, venue, numbers, acked, stop_event))
        for _ in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    deadline = time.monotonic() + 15
    while len(acked) < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    kill_hard(server)  # mid-load: requests are in flight in every worker
    stop_event.set()
    for thread in clients:
        thread.join(timeout=10)

    restarted = start(env, port=port, log=tmp_path / "server.log")
    stop(restarted)
    assert len(acked) >= 200, (tmp_path / "server.log").read_text()[-2000:]
    assert len(set(acked)) == len(acked)
    assert _stored_ids(bench_database_url, acked) == set(acked)
