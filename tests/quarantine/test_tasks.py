"""Scheduled reminders: once per person, slot and day; the schedules are declared in settings."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from qrtrace.lib.background import schedules
from qrtrace.notifications.models import Message
from qrtrace.quarantine import tasks
from qrtrace.quarantine.services import check_record, order_create
from tests import actors


def test_the_quarantine_schedules_point_at_real_tasks():
    names = {s.name: s.task for s in schedules() if s.name.startswith("quarantine-")}
    assert set(names) == {"quarantine-report-reminders", "quarantine-missed-reports"}
    assert settings.QRTRACE_SCHEDULES["quarantine-report-reminders"]["every"] == timedelta(hours=12)


def test_a_reminder_goes_to_who_has_not_reported_in_this_slot_and_only_once(commune_official, resident):
    quiet = order_create(
        actor=commune_official, person=resident, reason="f1", vaccination="full", kind="home", address="1"
    )
    diligent = actors.make_person("Chăm chỉ", "+84912000099", commune_id=actors.COMMUNE_A)
    reported = order_create(
        actor=commune_official, person=diligent, reason="f1", vaccination="full", kind="home", address="2"
    )
    check_record(order=reported, actor=None, temperature=Decimal("36.6"), spo2=None)
    assert tasks.report_reminders.call() == 1
    assert tasks.report_reminders.call() == 0
    [message] = Message.objects.filter(reference__startswith="qr:")
    assert message.person_id == quiet.person_id and f"/q/{quiet.pk}/" in message.body


def test_a_missed_day_is_texted_the_next_morning(commune_official, resident):
    start = timezone.localdate() - timedelta(days=2)
    order_create(
        actor=commune_official,
        person=resident,
        reason="f1",
        vaccination="full",
        kind="home",
        address="1",
        start_date=start,
    )
    assert tasks.missed_report_alerts.call() == 1
    assert Message.objects.filter(reference__startswith="qr:missed:").count() == 1
