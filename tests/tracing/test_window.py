"""The infectious window as the console sees it: to now until isolation is recorded, and no visit,
overlap or alert running past isolation or past now; estimated ends say so."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.tracing.models import Case, Exposure, VenueAlert
from qrtrace.tracing.rules import Rules
from qrtrace.tracing.selectors import case_timeline, published_alerts
from qrtrace.tracing.services import case_trace
from tests import actors

pytestmark = pytest.mark.django_db


def _at(person, venue, entered, left=None):
    return CheckIn.objects.create(
        venue=venue, person=person, entered_at=entered, left_at=left, method="self_scan"
    )


@pytest.fixture
def unisolated():
    """Confirmed 18 minutes ago, no isolation recorded; since then at a café (no check-out, usual
    stay 90 minutes) where a neighbour sat down two minutes later."""
    now = timezone.now()
    cafe = actors.make_venue("Quán cà phê", default_stay_minutes=90)
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    neighbour = actors.make_person("Ngồi bàn bên", "+84912000002", commune_id=actors.COMMUNE_A)
    case = Case.objects.create(person=f0, confirmed_at=now - timedelta(minutes=18))
    _at(f0, cafe, now - timedelta(minutes=10))
    _at(neighbour, cafe, now - timedelta(minutes=8))
    return case, cafe, neighbour, now


def test_until_isolation_is_recorded_the_window_runs_to_now_and_the_page_says_not_yet_isolated(
    client, commune_official, unisolated
):
    case, cafe, neighbour, _now = unisolated
    timeline = case_timeline(user=commune_official, case=case)
    assert [item.place for item in timeline.items] == [cafe.name]
    assert not timeline.isolated
    case_trace(case=case, actor=commune_official)
    assert Exposure.objects.get(case=case).person == neighbour
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Chưa cách ly" in body and "đến hiện tại" in body
    assert cafe.name in body


def test_a_trace_records_its_rule_version_and_where_the_window_ended(commune_official, unisolated):
    case, _cafe, _neighbour, now = unisolated
    summary = case_trace(case=case, actor=commune_official)
    case.refresh_from_db()
    event = AuditEvent.objects.get(action="trace")
    assert summary.rule_version == case.rule_version == Rules.from_settings().version
    assert event.details["rule_version"] == case.rule_version and event.details["isolated"] is False
    assert now <= datetime.fromisoformat(event.details["window_end"]) <= timezone.now()


def test_an_open_visit_ends_now_at_the_latest_and_is_labelled_estimated(client, commune_official, unisolated):
    case, _cafe, _neighbour, _now = unisolated
    timeline = case_timeline(user=commune_official, case=case)
    assert timeline.items[0].ended_at <= timezone.now() and timeline.items[0].end_estimated
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "(ước tính)" in body


def test_no_overlap_or_alert_runs_past_now(commune_official, unisolated):
    case, cafe, _neighbour, _now = unisolated
    case_trace(case=case, actor=commune_official)
    traced_at = Case.objects.get(pk=case.pk).traced_at
    exposure = Exposure.objects.get(case=case)
    assert exposure.overlap_end <= traced_at
    alert = VenueAlert.objects.get(case=case, venue=cafe)
    assert alert.ends_at <= traced_at and alert.end_estimated


def test_no_overlap_or_alert_runs_past_isolation(commune_official):
    now = timezone.now()
    market = actors.make_venue("Chợ", default_stay_minutes=60)
    f0 = actors.make_person("Ca bệnh", "+84912000011", commune_id=actors.COMMUNE_A)
    stayed = actors.make_person("Ở lại lâu", "+84912000012", commune_id=actors.COMMUNE_A)
    isolated_at = now - timedelta(hours=3)
    # The case's check-out was recorded an hour after they were taken to isolation (a late tap).
    _at(f0, market, now - timedelta(hours=4), now - timedelta(hours=2))
    _at(stayed, market, now - timedelta(hours=3, minutes=30), now - timedelta(hours=1))
    case = Case.objects.create(person=f0, confirmed_at=now - timedelta(hours=5), isolated_at=isolated_at)
    case_trace(case=case, actor=commune_official)
    exposure = Exposure.objects.get(case=case)
    assert (exposure.overlap_end, exposure.overlap_minutes) == (isolated_at, 30)
    alert = VenueAlert.objects.get(case=case)
    assert alert.ends_at == isolated_at and alert.end_estimated
    timeline = case_timeline(user=commune_official, case=case)
    assert timeline.items[0].ended_at == isolated_at and timeline.isolated


def test_the_public_alert_of_an_estimated_end_says_about_and_estimated(commune_official, unisolated):
    from django.utils import translation

    case, cafe, _neighbour, now = unisolated
    case_trace(case=case, actor=commune_official)
    VenueAlert.objects.filter(case=case).update(status="published")
    with translation.override("vi"):
        (alert,) = published_alerts(venue_ids=[cafe.pk], since=now - timedelta(days=1))
    assert "đến khoảng" in alert["message"] and "ước tính" in alert["message"]
    assert alert["end"] <= timezone.now()
