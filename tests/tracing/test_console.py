import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from qrtrace.audit.models import AuditEvent
from qrtrace.tracing.models import Case, Exposure, VenueAlert
from qrtrace.tracing.selectors import published_alerts
from qrtrace.tracing.services import case_notifications_confirm, case_trace
from tests import actors

from .conftest import visit
from .reference import T0

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_timeline_lists_and_chain_in_vietnamese(client, commune_official, traced):
    case, market, _contact = traced
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Mốc dịch tễ" in body and "Đang điều trị" in body
    assert market.name in body and "<svg" in body and "F1 (1)" in body


def test_a_case_page_reads_the_officials_memberships_once_however_many_rules_it_asks(
    client, commune_official, traced
):
    # The page's selectors each ask can_trace and the case rules: all read the one jurisdiction.
    client.force_login(commune_official)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/tracing/cases/{traced[0].pk}/").status_code == 200
    assert len([q for q in queries if "accounts_membership" in q["sql"]]) == 1


def test_the_other_commune_cannot_open_the_case_page(client, other_commune_official, traced):
    client.force_login(other_commune_official)
    assert client.get(f"/tracing/cases/{traced[0].pk}/").status_code == 404


def test_venue_staff_may_not_dismiss_a_contact_as_they_may_not_open_any_tracing_page(client, traced):
    case, market, contact = traced
    exposure = Exposure.objects.get(case=case, person=contact)
    client.force_login(actors.make_official("staff", "venue", market.code))
    response = client.post(f"/tracing/exposures/{exposure.pk}/dismiss", {"reason": "Nhầm người"})
    assert (response.status_code, client.get("/tracing/").status_code) == (403, 403)
    exposure.refresh_from_db()
    assert exposure.status != "dismissed"


def test_another_commune_cannot_find_a_contact_who_is_not_its_resident(
    client, other_commune_official, traced
):
    case, _market, contact = traced
    exposure = Exposure.objects.get(case=case, person=contact)
    client.force_login(other_commune_official)
    response = client.post(f"/tracing/exposures/{exposure.pk}/dismiss", {"reason": "Nhầm người"})
    assert response.status_code == 404
    exposure.refresh_from_db()
    assert exposure.status != "dismissed"


def test_the_case_list_is_scoped_to_the_officials_commune(
    client, commune_official, other_commune_official, traced
):
    client.force_login(other_commune_official)
    assert "F0-" not in client.get("/tracing/").content.decode()
    client.force_login(commune_official)
    assert f"F0-{traced[0].pk}" in client.get("/tracing/").content.decode()


def test_registering_a_case_from_the_console(client, commune_official):
    client.force_login(commune_official)
    response = client.post(
        "/tracing/cases/new",
        {
            "phone": "0912000009",
            "full_name": "Trần Văn B",
            "confirmed_at": "2026-03-03T10:00",
            "test_type": "pcr",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracing/cases/{case.pk}/"


def test_a_bad_phone_on_the_console_form_is_shown_not_a_500(client, commune_official):
    client.force_login(commune_official)
    response = client.post(
        "/tracing/cases/new", {"phone": "12", "confirmed_at": "2026-03-03T10:00", "test_type": "pcr"}
    )
    assert response.status_code == 200
    assert "số điện thoại" in response.content.decode()
    assert not Case.objects.exists()


def test_the_csv_export_is_formula_safe_and_audit_logged_with_the_case(client, province_official, traced):
    case, _market, _contact = traced
    client.force_login(province_official)
    response = client.get(f"/tracing/cases/{case.pk}/contacts.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("x")'
    event = AuditEvent.objects.get(action="export_exposures")
    assert (event.object_id, event.purpose) == (str(case.pk), f"contact tracing of case {case.pk}")
    # The file itself says who exported it, when, and why.
    assert rows[-1][0].startswith("Người xuất: cdc, lúc ")
    assert rows[-1][0].endswith(f"Mục đích: truy vết người tiếp xúc của ca bệnh {case.pk}")


def test_the_xlsx_export_opens_with_the_contact(client, province_official, traced):
    case, _market, _contact = traced
    client.force_login(province_official)
    sheet = load_workbook(io.BytesIO(client.get(f"/tracing/cases/{case.pk}/contacts.xlsx").content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, max_row=2, values_only=True)] == ["091 200 0002"]


def test_selecting_contacts_on_the_case_page(client, commune_official, traced):
    case, _market, _contact = traced
    client.force_login(commune_official)
    exposure = Exposure.objects.get()
    client.post(f"/tracing/cases/{case.pk}/followup", {"exposure": [exposure.pk]})
    exposure.refresh_from_db()
    assert exposure.selected_for_followup_at is not None


def test_a_published_alert_reaches_the_check_in_hook_and_a_retracted_one_does_not(
    client, commune_official, traced
):
    from qrtrace.checkins.hooks import venue_alerts

    _case, market, _contact = traced
    alert = VenueAlert.objects.get()
    client.force_login(commune_official)
    form = {
        f"{alert.pk}-{k}": v
        for k, v in {"starts_at": "2026-03-01T20:00", "ends_at": "2026-03-01T22:00"}.items()
    }
    client.post(f"/tracing/alerts/{alert.pk}", {**form, f"{alert.pk}-status": "published"})
    shown = venue_alerts(venue_ids=[market.pk], since=T0)
    assert [a["venue_name"] for a in shown] == [market.name]
    assert "Trạm Y tế" in shown[0]["message"]
    client.post(f"/tracing/alerts/{alert.pk}", {**form, f"{alert.pk}-status": "retracted"})
    assert published_alerts(venue_ids=[market.pk], since=T0) == []


def test_the_other_commune_cannot_publish_an_alert_for_this_venue(client, other_commune_official, traced):
    alert = VenueAlert.objects.get()
    client.force_login(other_commune_official)
    response = client.post(f"/tracing/alerts/{alert.pk}", {f"{alert.pk}-status": "published"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == "draft"


def test_an_official_adds_a_manual_contact_who_then_shows_in_the_f1_list(client, commune_official, traced):
    case, _market, _contact = traced
    client.force_login(commune_official)
    client.post(
        f"/tracing/cases/{case.pk}/contacts",
        {"phone": "0912000077", "full_name": "Mẹ của ca bệnh", "level": "F1", "reason": "Sống cùng nhà"},
    )
    added = Exposure.objects.get(manual=True)
    assert (added.person.full_name, added.level, added.status_reason) == (
        "Mẹ của ca bệnh",
        "F1",
        "Sống cùng nhà",
    )
    assert "Mẹ của ca bệnh" in client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="add_contact", object_id=str(case.pk)).exists()


def test_a_manual_contact_survives_a_retrace(province_official, traced):
    from qrtrace.tracing.services import exposure_add_manual

    case, _market, _contact = traced
    exposure_add_manual(
        case=case, phone="0912000077", full_name="B", level="F1", actor=province_official, reason="x"
    )
    case_trace(case=case, actor=province_official)
    assert Exposure.objects.get(manual=True).status == "new"


def test_a_place_without_a_qr_code_joins_the_printable_timeline(client, commune_official, traced):
    case, _market, _contact = traced
    client.force_login(commune_official)
    client.post(
        f"/tracing/cases/{case.pk}/places",
        {"place": "Đám cưới nhà ông C", "address": "Thôn 3", "started_at": "2026-03-01T18:00"},
    )
    body = client.get(f"/tracing/cases/{case.pk}/timeline").content.decode()
    assert "Đám cưới nhà ông C" in body and "Điều tra dịch tễ" in body


def test_a_failed_sms_shows_its_status_and_error_beside_the_contact(
    client, commune_official, traced, settings
):
    from qrtrace.notifications.services import messages_deliver

    case, _market, _contact = traced
    settings.QRTRACE_NOTIFY_BACKEND = "http"
    settings.QRTRACE_SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # nothing listens on the discard port
    case_notifications_confirm(case=case, actor=commune_official)
    messages_deliver()
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Gửi lỗi, sẽ gửi lại" in body and "1 lần gửi" in body


def test_opening_the_case_page_and_the_case_list_is_audit_logged(client, commune_official, traced):
    case, _market, contact = traced
    client.force_login(commune_official)
    client.get("/tracing/")
    client.get(f"/tracing/cases/{case.pk}/")
    listed = AuditEvent.objects.get(action="list", object_type="case")
    assert list(listed.subjects.values_list("person_id", flat=True)) == [case.person_id]
    # The F1 and one page of F2 are read (and recorded) apart; together they name exactly who was shown.
    reads = AuditEvent.objects.filter(action="read_exposures", object_id=str(case.pk))
    assert sorted(reads.values_list("subjects__person_id", flat=True).exclude(subjects=None)) == [contact.pk]


@pytest.fixture
def spread(province_official):
    """A case of commune A with four F1: one living in A, one in B, one entered without a residence
    and a dependant without one."""
    market = actors.make_venue("Chợ Vườn Hoa")
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    here = actors.make_person("Ở phường A", "+84912000002", commune_id=actors.COMMUNE_A)
    there = actors.make_person("Ở phường B", "+84912000003", commune_id=actors.COMMUNE_B)
    nowhere = actors.make_person("Không rõ nơi ở", "+84912000004")
    guardian = actors.make_person("Người giám hộ", "+84912000005", commune_id=actors.COMMUNE_B)
    child = actors.make_person("Con nhỏ", "", guardian=guardian)
    for person in (f0, here, there, nowhere, child):
        visit(person, market, 20 if person is f0 else 20.5)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=case, actor=province_official)
    return case, here, there, nowhere, child


def test_the_case_page_says_where_the_f1_not_in_the_list_are(client, commune_official, spread):
    case, here, there, _nowhere, _child = spread
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "F1 (1)" in body and here.full_name in body and there.full_name not in body
    assert "F1 của ca bệnh này: tổng 4 người, 1 người trong địa bàn của bạn" in body
    assert "1 người do trạm y tế xã, phường nơi họ cư trú theo dõi" in body
    assert "2 người chưa rõ nơi cư trú, trong danh sách của tỉnh" in body


def test_contacts_without_a_residence_are_on_the_provinces_worklist_and_only_there(
    client, commune_official, province_official, spread
):
    _case, here, there, nowhere, child = spread
    client.force_login(province_official)
    response = client.get("/tracing/unknown-residence/")
    body = response.content.decode()
    assert response.status_code == 200
    assert nowhere.full_name in body and child.full_name in body and "Người giám hộ" in body
    assert here.full_name not in body and there.full_name not in body
    assert AuditEvent.objects.filter(action="list", object_type="exposure").exists()
    client.force_login(commune_official)
    assert client.get("/tracing/unknown-residence/").status_code == 403


def test_a_contact_handed_over_shows_so_and_joins_the_f1_list_of_their_commune(
    client, commune_official, other_commune_official, spread
):
    case, here, _there, _nowhere, _child = spread
    client.force_login(commune_official)
    chosen = Exposure.objects.get(case=case, person=here)
    client.post(f"/tracing/cases/{case.pk}/followup", {"exposure": [chosen.pk]})
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Đã chuyển sang theo dõi lúc" in page
    listed = client.get("/tracing/followup/").content.decode()
    assert "F1 cần theo dõi trong địa bàn" in listed and here.full_name in listed
    assert "Phường Hạc Thành" in listed and f"F0-{case.pk}" in listed
    client.force_login(other_commune_official)
    assert here.full_name not in client.get("/tracing/followup/").content.decode()


def test_the_case_page_states_the_rule_in_words(client, commune_official, traced):
    case, _market, _contact = traced
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    version = Case.objects.get(pk=case.pk).rule_version
    assert "Cách xác định người tiếp xúc" in body and version in body
    assert "48 giờ trước khi khởi phát" in body and "trong vòng 30 phút sau khi ca bệnh rời đi" in body
    assert "ít nhất 1 phút (trên 0 phút)" in body


def test_a_contact_added_by_hand_shows_no_minutes_rather_than_zero(client, commune_official, traced):
    case, _market, _contact = traced
    client.force_login(commune_official)
    client.post(
        f"/tracing/cases/{case.pk}/contacts",
        {"phone": "0912000009", "full_name": "Người nhà", "level": "F1", "reason": "Sống cùng nhà"},
    )
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    row = body[body.index("<td>Người nhà") :].split("</tr>")[0]
    assert "<td>—</td><td>Mới" in row and "<td>0</td>" not in row


def test_the_contacts_csv_says_where_each_contact_lives_where_they_met_and_through_which_f1(
    client, province_official
):
    market, shop = (
        actors.make_venue("Chợ Vườn Hoa", address="12 Lê Lợi"),
        actors.make_venue("Quán Ba", kind="shop"),
    )
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    f1 = actors.make_person("Nguyễn Thị Hoa", "+84912000011", commune_id=actors.COMMUNE_A)
    f2 = actors.make_person("Phạm Văn Tư", "+84912000021", commune_id=actors.COMMUNE_B)
    visit(f0, market, 20)
    visit(f1, market, 20.5)
    visit(f1, shop, 30)
    visit(f2, shop, 30.2)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=case, actor=None)
    client.force_login(province_official)
    response = client.get(f"/tracing/cases/{case.pk}/contacts.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, first, second = (
        rows[0],
        dict(zip(rows[0], rows[1], strict=True)),
        dict(zip(rows[0], rows[2], strict=True)),
    )
    assert header[:7] == [
        "Mức",
        "Họ và tên",
        "Số điện thoại",
        "Xã, phường nơi ở",
        "Qua F1",
        "Địa điểm",
        "Địa chỉ địa điểm",
    ]
    assert (first["Họ và tên"], first["Qua F1"], first["Địa chỉ địa điểm"]) == (
        "Nguyễn Thị Hoa",
        "",
        "12 Lê Lợi",
    )
    assert first["Số điện thoại"] == "091 200 0011"
    assert first["Xã, phường nơi ở"] == "Phường Hạc Thành"
    assert (second["Họ và tên"], second["Qua F1"], second["Xã, phường nơi ở"]) == (
        "Phạm Văn Tư",
        "Nguyễn Thị Hoa",
        "Phường Quảng Phú",
    )
    local = timezone.localtime(T0 + timedelta(hours=20.5))
    assert first["Tiếp xúc từ"] == f"{local:%d/%m/%Y %H:%M}"


def test_cases_are_found_by_name_number_or_phone_and_come_in_pages(client, commune_official):
    people = [
        actors.make_person(f"Người số {i}", f"+849120001{i:02d}", commune_id=actors.COMMUNE_A)
        for i in range(60)
    ]
    cases = [
        Case.objects.create(person=p, confirmed_at=T0 + timedelta(minutes=i)) for i, p in enumerate(people)
    ]
    client.force_login(commune_official)

    def listed(**query) -> list[int]:
        return [case.pk for case in client.get("/tracing/", query).context["cases"]]

    assert listed(q="Người số 7") == [cases[7].pk]
    assert listed(q=f"F0-{cases[3].pk}") == [cases[3].pk]
    assert listed(q="0912 000 142") == [cases[42].pk]
    first = client.get("/tracing/")
    assert len(first.context["cases"]) == 50 and "Trang 1 / 2" in first.content.decode()
    assert len(listed(page=2)) == 10
    # The list's audit event names exactly the people on the page shown.
    event = AuditEvent.objects.filter(action="list", object_type="case").latest("pk")
    assert event.subjects.count() == 10


def test_the_f2_of_a_case_come_in_pages(client, commune_official):
    market, shop = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Cửa hàng", kind="shop")
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    f1 = actors.make_person("F1", "+84912000002", commune_id=actors.COMMUNE_A)
    visit(f0, market, 20)
    visit(f1, market, 20.5)
    visit(f1, shop, 30)
    for i in range(55):
        visit(actors.make_person(f"F2 {i}", f"+849120003{i:02d}", commune_id=actors.COMMUNE_A), shop, 30.2)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=case, actor=None)
    client.force_login(commune_official)
    first = client.get(f"/tracing/cases/{case.pk}/")
    assert len(first.context["f2"]) == 50 and "F2 (55)" in first.content.decode()
    assert len(first.context["f1"]) == 1
    assert len(client.get(f"/tracing/cases/{case.pk}/", {"page": 2}).context["f2"]) == 5
