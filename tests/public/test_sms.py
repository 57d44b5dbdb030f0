from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qrtrace.audit.models import AuditEvent, AuditSubject
from qrtrace.checkins.models import CheckIn
from qrtrace.notifications.models import Message
from qrtrace.public import sms
from qrtrace.public.models import Priority, SmsOptOut
from qrtrace.public.services import announcement_create, announcement_sms_request
from tests import actors

pytestmark = pytest.mark.django_db


def _visit(person, venue, days_ago: float):
    CheckIn.objects.create(
        venue=venue, person=person, entered_at=timezone.now() - timedelta(days=days_ago), method="self_scan"
    )


@pytest.fixture
def urgent(province_official):
    return announcement_create(
        actor=province_official,
        title="Phong toả chợ Vườn Hoa",
        body="Từ 18h hôm nay, chợ tạm đóng cửa.",
        communes=[actors.COMMUNE_A],
        priority=Priority.URGENT,
    )


def test_an_urgent_announcement_reaches_recent_visitors_of_its_area_only_with_an_opt_out_link(
    urgent, province_official
):
    market, elsewhere = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Chợ B", actors.COMMUNE_B)
    recent = actors.make_person("Khách gần đây", "+84912000001")
    old = actors.make_person("Khách cũ", "+84912000002")
    other_commune = actors.make_person("Khách xã B", "+84912000003")
    _visit(recent, market, 2)
    _visit(old, market, 10)
    _visit(other_commune, elsewhere, 1)
    announcement_sms_request(announcement=urgent, actor=province_official, days=7)
    assert sms.announcement_sms_queue(announcement_id=urgent.pk) == 1
    message = Message.objects.get()
    assert message.person == recent and message.reference == f"announcement:{urgent.pk}"
    assert message.body.startswith("Phong toả chợ Vườn Hoa: Từ 18h hôm nay")
    assert "/public/sms-stop/" in message.body and "Ngừng nhận tin" in message.body
    urgent.refresh_from_db()
    assert urgent.sms_queued == 1
    event = AuditEvent.objects.get(action="announcement_sms_queue")
    assert list(AuditSubject.objects.filter(event=event).values_list("person_id", flat=True)) == [recent.pk]
    assert AuditEvent.objects.filter(action="announcement_sms", actor=province_official).count() == 1


def test_a_phone_that_opted_out_through_its_link_gets_no_announcement_sms(client, urgent, province_official):
    market = actors.make_venue("Chợ Vườn Hoa")
    stays, leaves = actors.make_person("A", "+84912000001"), actors.make_person("B", "+84912000002")
    _visit(stays, market, 1)
    _visit(leaves, market, 1)
    token = sms.optout_token(leaves.phone_hash)
    assert client.get(f"/public/sms-stop/{token}").status_code == 200
    assert SmsOptOut.objects.count() == 0  # opening the link (a preview) changes nothing
    assert "sẽ không nhận SMS thông báo nữa" in client.post(f"/public/sms-stop/{token}").content.decode()
    announcement_sms_request(announcement=urgent, actor=province_official, days=7)
    sms.announcement_sms_queue(announcement_id=urgent.pk)
    assert list(Message.objects.values_list("person_id", flat=True)) == [stays.pk]


def test_a_forged_opt_out_link_is_404(client):
    assert client.get("/public/sms-stop/abc:def").status_code == 404


def test_only_urgent_announcements_go_out_once_within_the_retention_days(province_official, urgent):
    normal = announcement_create(actor=province_official, title="Lịch tiêm", body="…", communes=[])
    with pytest.raises(ValidationError):
        announcement_sms_request(announcement=normal, actor=province_official, days=7)
    with pytest.raises(ValidationError):
        announcement_sms_request(announcement=urgent, actor=province_official, days=60)
    announcement_sms_request(announcement=urgent, actor=province_official, days=7)
    with pytest.raises(ValidationError):
        announcement_sms_request(announcement=urgent, actor=province_official, days=7)


def test_sms_rounds_per_official_per_day_are_limited(province_official, settings):
    settings.QRTRACE_ANNOUNCEMENT_SMS_PER_DAY = 1
    first, second = (
        announcement_create(actor=province_official, title=t, body="…", communes=[], priority=Priority.URGENT)
        for t in ("Một", "Hai")
    )
    announcement_sms_request(announcement=first, actor=province_official, days=3)
    with pytest.raises(PermissionDenied):
        announcement_sms_request(announcement=second, actor=province_official, days=3)


def test_a_commune_station_cannot_send_a_province_wide_announcement(commune_official, province_official):
    wide = announcement_create(
        actor=province_official, title="Toàn tỉnh", body="…", communes=[], priority=Priority.URGENT
    )
    with pytest.raises(PermissionDenied):
        announcement_sms_request(announcement=wide, actor=commune_official, days=3)


def test_the_sms_form_queues_the_task_and_the_page_says_so(
    client, urgent, province_official, django_capture_on_commit_callbacks
):
    client.force_login(province_official)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/announcements/{urgent.pk}/sms", {"days": "5"}, follow=True)
    assert "Tin nhắn đang được xếp hàng gửi" in response.content.decode()
    assert len(callbacks) >= 1
    urgent.refresh_from_db()
    assert urgent.sms_days == 5 and urgent.sms_requested_at is not None


def test_texting_tuchoi_to_the_province_number_stops_announcement_sms_and_is_answered(
    client, settings, urgent, province_official
):
    from qrtrace.notifications.backends import FAKE_OUTBOX
    from qrtrace.notifications.fake_gateway import FakeGateway

    settings.QRTRACE_SMS_INBOUND_SECRET = "gateway-shared-secret"
    settings.QRTRACE_NOTIFY_BACKEND = "fake"
    settings.QRTRACE_SMS_NUMBER = "8077"
    FAKE_OUTBOX.clear()
    market = actors.make_venue("Chợ Vườn Hoa")
    stays, leaves = actors.make_person("A", "+84912000001"), actors.make_person("B", "+84912000002")
    _visit(stays, market, 1)
    _visit(leaves, market, 1)
    gateway = FakeGateway(client=client)
    response = gateway.text("0912 000 002", "tuchoi", message_id="m1")
    assert response.status_code == 200 and response.json()["outcome"] == "tuchoi"
    [reply] = gateway.replies("+84912000002")
    assert "không nhận SMS thông báo nữa" in reply
    announcement_sms_request(announcement=urgent, actor=province_official, days=7)
    sms.announcement_sms_queue(announcement_id=urgent.pk)
    [message] = Message.objects.filter(reference=f"announcement:{urgent.pk}")
    assert message.person == stays
    assert "soạn TUCHOI gửi 8077" in message.body
    FAKE_OUTBOX.clear()
