"""The visitor log's exports: CSV streamed with no row limit, Excel refused above its limit, and every
exported person a subject of the export's one audit event."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins import staff_views
from tests import actors

pytestmark = pytest.mark.django_db

PURPOSE = "purpose=Truy vết ca F0 số 12"


@pytest.fixture
def people():
    return [
        actors.make_person('=HYPERLINK("http://x")', "+84912345678"),
        actors.make_person("Trần Văn Khoẻ", "+84987654321"),
        actors.make_person("Lê Thị Hoa", "+84901234567"),
    ]


@pytest.fixture
def visits(venue, people, make_checkin):
    """Seven visits by three people, a minute apart, early today (local time)."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        make_checkin(venue, people[minute % 3], entered_at=midnight + timedelta(minutes=minute))
        for minute in range(1, 8)
    ]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_csv_streams_more_rows_than_a_chunk_newest_first_as_the_rows_are_read(
    client, venue, venue_staff, visits, monkeypatch
):
    monkeypatch.setattr(staff_views, "_EXPORT_CHUNK", 2)
    client.force_login(venue_staff)
    with CaptureQueriesContext(connection) as before_streaming:
        response = client.get(f"/visitors/{venue.code}?format=csv&{PURPOSE}")
    assert isinstance(response, StreamingHttpResponse)
    with CaptureQueriesContext(connection) as while_streaming:
        rows = _csv(response)
    # The view only audits; the check-ins themselves are read while the file is being sent.
    assert not any("full_name" in q["sql"] for q in before_streaming.captured_queries)
    assert sum("full_name" in q["sql"] for q in while_streaming.captured_queries) == 1
    newest_first = visits[::-1]
    assert [row[0] for row in rows[1:8]] == [
        f"{timezone.localtime(v.entered_at):%d/%m/%Y %H:%M}" for v in newest_first
    ]
    assert [row[3] for row in rows[1:8]] == [v.person.full_name.replace("=", "'=") for v in newest_first]
    assert rows[2][3] == '\'=HYPERLINK("http://x")'  # formulas stay inert
    assert rows[8] == [] and "Mục đích: Truy vết ca F0 số 12" in rows[10][0]


def test_venue_staff_get_masked_phones_and_nothing_else_of_the_person_is_read(
    client, venue, venue_staff, visits
):
    client.force_login(venue_staff)
    response = client.get(f"/visitors/{venue.code}?format=csv&{PURPOSE}")
    with CaptureQueriesContext(connection) as queries:
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "091***5678" in text and "091 234 5678" not in text and "0912345678" not in text
    (select,) = [q["sql"] for q in queries.captured_queries if "full_name" in q["sql"]]
    assert "citizen_id" not in select and "phone_hash" not in select and "fever" not in select


def test_an_export_is_one_audit_event_naming_each_exported_person_once(
    client, venue, commune_official, people, visits
):
    client.force_login(commune_official)
    rows = _csv(client.get(f"/visitors/{venue.code}?format=csv&{PURPOSE}"))
    (event,) = AuditEvent.objects.filter(action="export", object_type="visitor_log")
    subjects = list(event.subjects.values_list("person_id", flat=True))
    assert sorted(subjects) == sorted(p.pk for p in people)
    assert event.details["rows"] == 7 and event.details["format"] == "csv"
    assert event.purpose == "Truy vết ca F0 số 12"
    assert {row[4] for row in rows[1:8]} == {"091 234 5678", "098 765 4321", "090 123 4567"}


def test_a_check_in_made_while_the_file_streams_is_not_in_it(
    client, venue, venue_staff, visits, make_checkin
):
    """The audit event is written before the file: a later visitor would be exported unaudited."""
    client.force_login(venue_staff)
    response = client.get(f"/visitors/{venue.code}?format=csv&{PURPOSE}")
    newcomer = actors.make_person("Người Đến Sau", "+84911111111")
    make_checkin(venue, newcomer, entered_at=visits[-1].entered_at + timedelta(minutes=1))
    rows = _csv(response)
    assert len(rows[1:8]) == 7 and rows[1][3] == "Trần Văn Khoẻ" and rows[8] == []
    assert not AuditEvent.objects.filter(action="export", subjects__person_id=newcomer.pk).exists()


def test_an_excel_export_at_its_limit_is_whole(client, venue, commune_official, visits, monkeypatch):
    monkeypatch.setattr(staff_views, "_XLSX_MAX", 7)
    client.force_login(commune_official)
    response = client.get(f"/visitors/{venue.code}?format=xlsx&{PURPOSE}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=4).value for r in range(2, 10)]
    assert names == [*(v.person.full_name.replace("=", "'=") for v in visits[::-1]), None]
    assert AuditEvent.objects.get(action="export").details["rows"] == 7


def test_an_excel_export_over_its_limit_is_refused_pointing_to_csv_not_cut_short(
    client, venue, commune_official, visits, monkeypatch
):
    monkeypatch.setattr(staff_views, "_XLSX_MAX", 6)
    client.force_login(commune_official)
    response = client.get(f"/visitors/{venue.code}?format=xlsx&{PURPOSE}")
    text = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Bộ lọc này có 7 lượt ra vào; tệp Excel chứa được tối đa 6 lượt. Hãy xuất CSV" in text
    assert not AuditEvent.objects.filter(action="export").exists()
    # The page still lists the visitors, with the filters kept for the CSV button.
    assert "Lê Thị Hoa" in text and 'name="purpose"' in text
