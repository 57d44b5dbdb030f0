import time

import pytest
from django.core import signing

from qrtrace.audit.models import AuditEvent
from qrtrace.public import forms
from qrtrace.public.models import Feedback
from tests import actors

pytestmark = pytest.mark.django_db


def _issued(seconds_ago: int) -> str:
    return signing.dumps(int(time.time()) - seconds_ago, salt=forms._FORM_SALT)


def _report(**overrides):
    data = {
        "kind": "not_scanning",
        "commune": actors.COMMUNE_A,
        "place": "Chợ Vườn Hoa, cổng số 2",
        "text": "Áp phích bị mờ, quét không được.",
        "phone": "0912 345 678",
        "website": "",
        "issued": _issued(30),
    }
    return data | overrides


def test_a_report_reaches_the_station_of_its_commune_with_the_phone_normalised(client):
    response = client.post("/public/feedback", _report())
    assert response.status_code == 302 and response["Location"] == "/public/feedback/sent"
    report = Feedback.objects.get()
    assert (report.commune_id, report.kind, report.phone) == (
        actors.COMMUNE_A,
        "not_scanning",
        "+84912345678",
    )


def test_the_phone_is_optional_and_a_wrong_one_is_a_clear_error_keeping_the_text(client):
    assert client.post("/public/feedback", _report(phone="")).status_code == 302
    response = client.post("/public/feedback", _report(phone="12345", text="Giữ nguyên nội dung này"))
    assert response.status_code == 400
    assert "Giữ nguyên nội dung này" in response.content.decode()
    assert Feedback.objects.count() == 1


def test_a_robot_filling_the_hidden_field_is_answered_as_a_success_and_nothing_is_saved(client):
    response = client.post("/public/feedback", _report(website="http://spam.example"))
    assert response.status_code == 302
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("issued", [0, 7 * 3600, "forged", ""], ids=["instant", "stale", "forged", "none"])
def test_a_form_sent_at_once_replayed_or_forged_is_refused_with_a_fresh_token_and_the_text_kept(
    client, issued
):
    token = _issued(issued) if isinstance(issued, int) else issued
    response = client.post("/public/feedback", _report(issued=token, text="Nội dung của tôi"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nội dung của tôi" in html and "Vui lòng kiểm tra lại và gửi lại." in html
    assert Feedback.objects.count() == 0


def test_reports_from_one_address_beyond_the_hourly_limit_get_429_keeping_what_was_typed(client, settings):
    settings.QRTRACE_RATELIMIT_FEEDBACK_IP_PER_HOUR = 2
    assert [client.post("/public/feedback", _report()).status_code for _ in range(2)] == [302, 302]
    response = client.post("/public/feedback", _report(text="Lần thứ ba"))
    assert response.status_code == 429 and "Lần thứ ba" in response.content.decode()
    assert Feedback.objects.count() == 2


def test_the_station_of_the_commune_sees_and_handles_it_and_the_other_station_gets_404(
    client, commune_official, other_commune_official
):
    client.post("/public/feedback", _report())
    report = Feedback.objects.get()
    client.force_login(other_commune_official)
    assert "Chợ Vườn Hoa" not in client.get("/feedback/").content.decode()
    assert client.post(f"/feedback/{report.pk}/handle", {"note": "x"}).status_code == 404
    client.force_login(commune_official)
    page = client.get("/feedback/").content.decode()
    assert "Chợ Vườn Hoa, cổng số 2" in page and "+84912345678" in page
    assert client.post(f"/feedback/{report.pk}/handle", {"note": "Đã in lại áp phích"}).status_code == 302
    report.refresh_from_db()
    assert report.handled_by == commune_official and report.handled_note == "Đã in lari áp phích".replace(
        "lari", "lại"
    )
    actions = set(AuditEvent.objects.filter(object_type="feedback").values_list("action", flat=True))
    assert actions == {"feedback_list", "feedback_handle"}


def test_reports_past_the_retention_days_are_deleted_with_their_phones(settings):
    from datetime import timedelta

    from django.utils import timezone

    from qrtrace.public.tasks import feedback_purge

    settings.QRTRACE_FEEDBACK_RETENTION_DAYS = 30
    old = Feedback.objects.create(
        kind="other", commune_id=actors.COMMUNE_A, place="x", text="y", phone="+84912345678"
    )
    Feedback.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    fresh = Feedback.objects.create(kind="other", commune_id=actors.COMMUNE_A, place="x", text="y")
    assert feedback_purge.call() == 1
    assert list(Feedback.objects.values_list("pk", flat=True)) == [fresh.pk]
