from datetime import datetime, time, timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, DeviceTrust
from qrtrace.checkins.services.devices import device_register
from qrtrace.checkins.views import _DEVICE_SALT, DEVICE_COOKIE
from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
from tests import actors

pytestmark = pytest.mark.django_db


def _remember(client, person):
    response = HttpResponse()
    token = device_register(person=person, trust=DeviceTrust.CREATED)  # the phone that declared them
    response.set_signed_cookie(DEVICE_COOKIE, token, salt=_DEVICE_SALT)
    client.cookies[DEVICE_COOKIE] = response.cookies[DEVICE_COOKIE].value


def _alert(venue, start, end, status=AlertStatus.PUBLISHED):
    phone = f"+8490{Case.objects.count():07d}"
    case = Case.objects.create(person=actors.make_person("Ca bệnh", phone), confirmed_at=end)
    return VenueAlert.objects.create(case=case, venue=venue, starts_at=start, ends_at=end, status=status)


def test_a_visit_overlapping_a_published_alert_warns_without_naming_anyone(client):
    venue = actors.make_venue("Quán Phở", kind="restaurant", default_stay_minutes=60)
    person = actors.make_person("Trần Văn Riêng", "+84912222333")
    now = timezone.now()
    CheckIn.objects.create(
        venue=venue, person=person, entered_at=now - timedelta(hours=3), method="self_scan"
    )
    _alert(venue, now - timedelta(hours=2, minutes=30), now - timedelta(hours=1))
    _remember(client, person)
    html = client.get("/public/check").content.decode()
    assert "Bạn có thể đã bị phơi nhiễm" in html and "Quán Phở" in html
    assert "Trần Văn Riêng" not in html and "912222333" not in html


def test_a_visit_that_ended_before_the_alert_and_a_draft_alert_do_not_warn(client):
    venue = actors.make_venue("Quán Phở", kind="restaurant", default_stay_minutes=60)
    person = actors.make_person()
    now = timezone.now()
    CheckIn.objects.create(
        venue=venue,
        person=person,
        entered_at=now - timedelta(hours=6),
        left_at=now - timedelta(hours=5),
        method="self_scan",
    )
    _alert(venue, now - timedelta(hours=4), now - timedelta(hours=3))
    _alert(actors.make_venue("Chợ"), now - timedelta(hours=7), now, status=AlertStatus.DRAFT)
    _remember(client, person)
    html = client.get("/public/check").content.decode()
    assert "Không có cảnh báo nào trùng" in html and "Bạn có thể đã bị phơi nhiễm" not in html


def test_a_family_members_visit_declared_from_this_phone_warns_too(client):
    venue = actors.make_venue("Trường Tiểu học", kind="school")
    parent = actors.make_person()
    child = actors.make_person("Bé", None, guardian=parent)
    now = timezone.now()
    CheckIn.objects.create(venue=venue, person=child, entered_at=now - timedelta(hours=2), method="self_scan")
    _alert(venue, now - timedelta(hours=1), now)
    _remember(client, parent)
    assert "Trường Tiểu học" in client.get("/public/check").content.decode()


def test_anyone_checks_a_venue_by_code_and_day(client):
    venue = actors.make_venue("Chợ Vườn Hoa")
    # Inside today's local day whatever the hour (an hour ago was yesterday just after midnight).
    today = timezone.localdate()
    morning = timezone.make_aware(datetime.combine(today, time(0, 5)))
    _alert(venue, morning, morning + timedelta(hours=1))
    hit = client.get("/public/check", {"code": venue.code.lower(), "day": today.isoformat()}).content.decode()
    assert "Một ca bệnh đã ở đây" in hit
    earlier = (today - timedelta(days=3)).isoformat()
    miss = client.get("/public/check", {"code": venue.code, "day": earlier}).content.decode()
    assert "Không có cảnh báo nào cho địa điểm này trong ngày đó." in miss
    unknown = client.get("/public/check", {"code": "ZZZZZZZ", "day": earlier}).content.decode()
    assert "Không có địa điểm nào mang mã này" in unknown


@pytest.mark.parametrize(
    "query",
    [
        {"code": "AB", "day": "2026-01-01"},
        {"code": "ABCDEFG", "day": "hôm qua"},
        {"code": "ABCDEFG", "day": "2999-01-01"},
    ],
)
def test_a_wrong_code_or_day_is_a_400_with_a_message_not_a_500(client, query):
    response = client.get("/public/check", query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
