from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.audit.services import audit_event_create

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _event(actor, action: str, person_ids=(), at: datetime | None = None) -> AuditEvent:
    # `at` is stamped on insert and the table is append-only, so a past event is made in the past.
    with mock.patch("django.utils.timezone.now", return_value=at or timezone.now()):
        return audit_event_create(actor=actor, action=action, object_type="person", person_ids=person_ids)


def _rows(response) -> int:
    return response.content.decode().count('<tr class="event">')


def test_the_province_office_filters_by_user_person_action_and_dates(
    client, province_official, commune_official
):
    _event(commune_official, "read", [7], at=datetime(2026, 11, 1, 23, 30, tzinfo=HCM))
    _event(commune_official, "export", [7, 8], at=datetime(2026, 11, 2, 0, 30, tzinfo=HCM))
    _event(province_official, "read", [8], at=datetime(2026, 11, 3, 9, 0, tzinfo=HCM))
    client.force_login(province_official)

    assert _rows(client.get("/audit/", {"actor_name": "tram_a"})) == 2
    # Two events touched person 7, and so does this very look-up, which is listed with them.
    assert _rows(client.get("/audit/", {"person_id": 7})) == 3
    assert _rows(client.get("/audit/", {"action": "export"})) == 1
    # Days are Vietnamese calendar days: 23:30 on the 1st is not on the 2nd, 00:30 on the 2nd is
    # (in UTC both fall on the 1st).
    assert _rows(client.get("/audit/", {"date_from": "2026-11-02", "date_to": "2026-11-02"})) == 1
    assert _rows(client.get("/audit/", {"date_from": "2026-11-01", "date_to": "2026-11-03"})) == 3


def test_reading_the_audit_log_is_itself_audited_with_the_filters(client, province_official):
    client.force_login(province_official)
    client.get("/audit/", {"person_id": 42, "action": "read"})
    event = AuditEvent.objects.get(object_type="audit_log")
    assert (event.actor, event.action, event.purpose) == (province_official, "read", "audit review")
    assert event.details == {"person_id": "42", "action": "read"}
    assert list(event.subjects.values_list("person_id", flat=True)) == [42]


def test_the_log_is_paginated_newest_first(client, admin_user):
    for i in range(55):
        _event(admin_user, f"a{i}")
    client.force_login(admin_user)
    first = client.get("/audit/")
    assert _rows(first) == 50
    assert "Trang 1 / 2" in first.content.decode()
    # 55 events plus the reads of page one and of page two itself: 57, so page two holds seven.
    second = client.get("/audit/", {"page": 2})
    assert _rows(second) == 7
    assert ">a0<" in second.content.decode()


def test_commune_officials_are_refused(client, commune_official):
    client.force_login(commune_official)
    assert client.get("/audit/").status_code == 403
    assert not AuditEvent.objects.filter(object_type="audit_log").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_bad_filters_are_a_translated_form_error_not_a_crash(client, province_official):
    client.force_login(province_official)
    response = client.get("/audit/", {"person_id": "abc", "date_from": "2026-11-05", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "Ngày bắt đầu sau ngày kết thúc" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="audit_log").exists()


def test_actions_and_purposes_are_shown_in_vietnamese_words_not_codes(client, province_official):
    audit_event_create(
        actor=province_official, action="read_timeline", object_type="case", purpose="contact tracing"
    )
    audit_event_create(
        actor=province_official,
        action="export",
        object_type="visitor_log",
        purpose="visitor log of venue ABC1234",
    )
    client.force_login(province_official)
    page = client.get("/audit/").content.decode()
    assert "xem mốc dịch tễ" in page and "truy vết người tiếp xúc" in page
    assert "sổ khách ra vào của địa điểm ABC1234" in page
    assert ">read_timeline<" not in page and ">contact tracing<" not in page


def test_the_action_filter_is_a_dropdown_of_actions_in_words(client, province_official):
    client.force_login(province_official)
    page = client.get("/audit/").content.decode()
    assert '<select name="action"' in page
    assert '<option value="read_timeline">xem mốc dịch tễ</option>' in page


def test_people_are_named_where_the_viewer_may_read_them_and_numbered_elsewhere(
    client, commune_official, province_official
):
    from tests import actors

    here = actors.make_person("Nguyễn Văn A", "+84912345678", commune_id=actors.COMMUNE_A)
    elsewhere = actors.make_person("Hồ Thị Nghệ", "+84912345679", commune_id=actors.OTHER_PROVINCE_COMMUNE)
    _event(commune_official, "read", [here.pk, elsewhere.pk])
    client.force_login(province_official)
    page = client.get("/audit/", {"action": "read", "actor_name": "tram_a"}).content.decode()
    assert "Nguyễn Văn A" in page
    assert "Hồ Thị Nghệ" not in page and f"#{elsewhere.pk}" in page
    # Showing the names is itself a read of their data, recorded.
    shown = AuditEvent.objects.get(object_type="person", purpose="audit review")
    assert list(shown.subjects.values_list("person_id", flat=True)) == [here.pk]
