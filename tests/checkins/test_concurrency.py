"""50 people checking in at the same moment, against a real server on a SQLite file.

pytest-django's SQLite test database lives in memory behind one connection, which cannot show
"database is locked"; so this test migrates a file database and serves it with several worker
processes, exactly as `qrtrace serve` runs in a district.
"""

import http.cookiejar
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.servers import free_port, wait_until_up

CLIENTS = 50
BIN = Path(sys.executable).parent

_MAKE_VENUE = """
from qrtrace.venues.models import Venue
from qrtrace.venues.qr import venue_token
venue = Venue.objects.create(code="CONCUR1", name="Chợ Đông Sơn", kind="market", address="1 Lê Lợi",
                             commune_id=14797, status="active", default_stay_minutes=60)
print(venue_token(venue))
"""


@pytest.fixture
def server(tmp_path):
    env = os.environ | {
        "QRTRACE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'qrtrace.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "qrtrace.settings",
    }
    subprocess.run([BIN / "qrtrace", "migrate", "--no-input"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [BIN / "qrtrace", "shell", "--no-imports", "-c", _MAKE_VENUE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [BIN / "qrtrace", "serve", "--port", str(port), "--workers", "4", "--threads", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, made.stdout.split()[-1], tmp_path / "qrtrace.sqlite3"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _client_checks_in(base: str, token: str, index: int, start: threading.Barrier, results: list) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        page = opener.open(f"{base}/v/{token}", timeout=30).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {
            "csrfmiddlewaretoken": csrf,
            "full_name": f"Khách {index}",
            "phone": f"09120{index:05d}",
            "birth_year": "1990",
            "cough": "on" if index % 5 == 0 else "",
        }
        start.wait()  # every client submits at the same moment
        response = opener.open(f"{base}/v/{token}", urllib.parse.urlencode(form).encode(), timeout=60)
        results.append((response.status, response.url, ""))
    except Exception as exc:  # collected, so one failure does not hide the others
        body = exc.read().decode(errors="replace") if hasattr(exc, "read") else ""
        results.append((getattr(exc, "code", None), "", f"{exc} {body[:300]}"))


def test_fifty_people_checking_in_at_once_on_sqlite_all_succeed(server):
    base, token, database = server
    start = threading.Barrier(CLIENTS)
    results: list = []
    threads = [
        threading.Thread(target=_client_checks_in, args=(base, token, i, start, results))
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failures = [result for result in results if result[0] != 200 or "/c/" not in result[1]]
    assert not failures, failures[:3]
    assert len(results) == CLIENTS
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT count(*) FROM checkins_checkin").fetchone()
        (people,) = connection.execute("SELECT count(DISTINCT person_id) FROM checkins_checkin").fetchone()
    assert count == people == CLIENTS
