"""`qrtrace serve` does the background work itself: a case registered on the page is traced, and a
poster batch asked of a server that then stopped is built by the next one. Real processes, on the
suite's database engine, in a database of their own."""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import actors
from tests.servers import LiveDatabase, free_port, stop, wait_for, wait_until_up

_SETUP = """
from datetime import timedelta
from django.utils import timezone
from qrtrace.checkins.models import CheckIn
from tests import actors
actors.make_official("tram", "commune", actors.COMMUNE_A)
market = actors.make_venue("Chợ Vườn Hoa")
actors.make_venue("Chợ Cầu")
case = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
contact = actors.make_person("Người tiếp xúc", "+84912000002")
start = timezone.now() - timedelta(hours=3)
for person in (case, contact):
    CheckIn.objects.create(venue=market, person=person, entered_at=start, left_at=start + timedelta(hours=1))
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    database = LiveDatabase(tmp_path_factory.mktemp("serve"))
    database.shell(_SETUP)
    yield database
    database.drop()


class Browser:
    """A signed-in official's session against a running server."""

    def __init__(self, base: str):
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.post("/accounts/login/", {"username": "tram", "password": "correct horse battery staple"})

    def post(self, path: str, form: dict) -> str:
        page = self.opener.open(f"{self.base}{path}", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = {"csrfmiddlewaretoken": token, **form}
        response = self.opener.open(f"{self.base}{path}", urllib.parse.urlencode(form).encode(), timeout=30)
        return response.read().decode()


def _serve(live: LiveDatabase, *extra: str):
    port = free_port()
    server = live.start("serve", "--port", str(port), "--workers", "1", *extra)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, server)
    return server, base


def test_a_case_registered_on_the_page_is_traced_with_no_other_command(live):
    server, base = _serve(live)
    try:
        confirmed = timezone.localtime(timezone.now() - timedelta(hours=1))
        page = Browser(base).post(
            "/tracing/cases/new",
            {"phone": "0912000001", "confirmed_at": f"{confirmed:%Y-%m-%dT%H:%M}", "test_type": "pcr"},
        )
        assert "Đã ghi nhận ca bệnh; việc truy vết đã được xếp lịch." in page
        wait_for(
            lambda: live.sql("SELECT count(*) FROM tracing_exposure WHERE level = 'F1'") == [(1,)],
            what="the contact found as F1 by the worker",
        )
    finally:
        stop(server)
    assert live.sql("SELECT count(*) FROM tracing_case WHERE traced_at IS NULL") == [(0,)]
    assert live.sql("SELECT count(*) FROM lib_backgroundworker") == [(0,)]  # stopped with the server


def test_a_poster_batch_asked_of_a_stopped_server_is_built_by_the_next_one(live):
    first, base = _serve(live, "--no-worker")
    try:
        Browser(base).post("/venues/batches", {"commune": str(actors.COMMUNE_A)})
    finally:
        stop(first)
    assert live.sql("SELECT status FROM venues_posterbatch") == [("running",)]  # nothing built it yet

    second, _base = _serve(live)
    try:
        built = lambda: live.sql("SELECT status FROM venues_posterbatch") == [("ready",)]  # noqa: E731
        wait_for(built, what="the batch built")
    finally:
        stop(second)
    assert live.sql("SELECT venue_count FROM venues_posterbatch") == [(2,)]
