import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from qrtrace.audit.models import AuditEvent
from tests import actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(venue, make_checkin):
    return make_checkin(
        venue, actors.make_person('=HYPERLINK("http://x")', "+84912345678"), cough=True, risk="red"
    )


def test_venue_staff_see_todays_visitors_with_masked_phones_and_the_count_inside(
    client, venue, venue_staff, visit
):
    client.force_login(venue_staff)
    response = client.get(f"/visitors/{venue.code}")
    text = response.content.decode()
    assert response.status_code == 200
    assert "HYPERLINK" in text and "091***5678" in text and "+84912345678" not in text
    assert '<strong id="inside-count">1</strong>' in text
    event = AuditEvent.objects.get(actor=venue_staff, action="read", object_type="visitor_log")
    assert list(event.subjects.values_list("person_id", flat=True)) == [visit.person_id]


def test_commune_officials_see_whole_phone_numbers_of_venues_in_their_commune(
    client, venue, commune_official, visit
):
    client.force_login(commune_official)
    assert "091 234 5678" in client.get(f"/visitors/{venue.code}").content.decode()


@pytest.mark.parametrize("who", ["other_venue_staff", "other_commune_official"])
def test_visitors_of_a_venue_are_hidden_from_staff_of_other_venues_and_other_communes(
    client, venue, visit, who, request
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/visitors/{venue.code}").status_code == 404
    assert client.get(f"/visitors/{venue.code}?format=csv").status_code == 404


def test_the_csv_export_neutralises_formulas_and_is_audited(client, venue, venue_staff, visit):
    client.force_login(venue_staff)
    response = client.get(f"/visitors/{venue.code}?format=csv&purpose=F0 case 12")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][3] == "Họ và tên"
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert AuditEvent.objects.filter(
        actor=venue_staff, action="export", subjects__person_id=visit.person_id
    ).exists()


def test_the_xlsx_export_stores_formulas_as_text(client, venue, commune_official, visit):
    client.force_login(commune_official)
    response = client.get(f"/visitors/{venue.code}?format=xlsx&purpose=F0 case 12")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=4).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=5).value == "091 234 5678"


def test_filters_keep_only_the_chosen_declaration(client, venue, venue_staff, visit, make_checkin):
    make_checkin(venue, actors.make_person("Trần Văn Khoẻ", "+84987654321"))
    client.force_login(venue_staff)
    text = client.get(f"/visitors/{venue.code}?risk=green").content.decode()
    assert "Trần Văn Khoẻ" in text and "HYPERLINK" not in text


def test_a_reversed_date_range_is_explained(client, venue, venue_staff):
    client.force_login(venue_staff)
    response = client.get(f"/visitors/{venue.code}?day_from=2026-11-20&day_to=2026-11-10")
    assert response.status_code == 400 and "Ngày kết thúc trước ngày bắt đầu" in response.content.decode()


def test_an_export_says_who_exported_it_when_and_why_and_the_audit_log_holds_the_purpose(
    client, venue, commune_official, visit
):
    client.force_login(commune_official)
    response = client.get(f"/visitors/{venue.code}?format=csv&purpose=Truy vết ca F0 số 12")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    footer = " ".join(cell for row in rows[3:] for cell in row)
    assert "Người xuất: tram_a" in footer and "Mục đích: Truy vết ca F0 số 12" in footer
    assert f"{timezone.localdate():%d/%m/%Y}" in footer
    assert AuditEvent.objects.get(action="export").purpose == "Truy vết ca F0 số 12"


def test_an_export_without_a_stated_purpose_is_refused_and_exports_nothing(
    client, venue, commune_official, visit
):
    client.force_login(commune_official)
    response = client.get(f"/visitors/{venue.code}?format=xlsx&purpose=")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Mục đích xuất dữ liệu" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()
