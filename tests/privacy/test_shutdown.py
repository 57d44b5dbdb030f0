from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn, Device
from qrtrace.notifications.models import Message
from qrtrace.people.models import Person
from qrtrace.privacy.models import LegalHold
from qrtrace.privacy.retention import RETENTION
from qrtrace.privacy.services import personal_data_models
from qrtrace.tracing.models import Case, Exposure, TimelinePlace, TraceJob, VenueAlert
from qrtrace.venues.models import Venue
from tests.actors import make_person, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_data(db):
    venue = make_venue()
    case_person, contact = make_person("Ca bệnh", "+84900000001"), make_person("F1", "+84900000002")
    make_person("Cháu bé", None, guardian=contact)
    for person in (case_person, contact):
        CheckIn.objects.create(venue=venue, person=person, entered_at=timezone.now(), method="self_scan")
    case = Case.objects.create(person=case_person, confirmed_at=timezone.now() - timedelta(hours=1))
    Exposure.objects.create(case=case, person=contact, level="F1", source_person=case_person)


def _shutdown(monkeypatch, typed: str | None, *args: str) -> str:
    if typed is not None:
        monkeypatch.setattr("builtins.input", lambda prompt: typed)
    out = StringIO()
    call_command("shutdown", *args, stdout=out)
    return out.getvalue()


def test_shutdown_deletes_every_personal_record_after_the_province_name_is_typed(province_data, monkeypatch):
    out = _shutdown(monkeypatch, "  thanh HÓA ")
    assert not Person.objects.exists()
    assert not CheckIn.objects.exists() and not Case.objects.exists() and not Exposure.objects.exists()
    assert Venue.objects.count() == 1  # places are not personal data
    assert "people.Person: 3 deleted" in out
    tables = AuditEvent.objects.get(action="erase_all").details["tables"]
    assert tables["checkins.CheckIn"] == {"before": 2, "deleted": 2, "after": 0}


def test_shutdown_with_a_wrong_name_deletes_nothing(province_data, monkeypatch):
    with pytest.raises(CommandError, match="does not match"):
        _shutdown(monkeypatch, "Nghệ An")
    assert Person.objects.count() == 3


def test_shutdown_without_an_answer_deletes_nothing(province_data, monkeypatch):
    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.raises(CommandError):
        call_command("shutdown", stdout=StringIO())
    assert Person.objects.count() == 3


def test_scripts_confirm_with_an_explicit_flag(province_data, monkeypatch):
    _shutdown(monkeypatch, None, "--yes-delete-everything")
    assert not Person.objects.exists()


def test_tables_are_emptied_before_the_tables_they_point_at():
    order = [m._meta.label for m in personal_data_models()]
    assert order[-1] == "people.Person"
    assert order.index("tracing.Exposure") < order.index("tracing.Case")
    assert {"checkins.CheckIn", "checkins.Device", "notifications.Message"} <= set(order)


@pytest.fixture
def every_personal_table(db):
    """At least one row in every table the shutdown must empty."""
    venue = make_venue()
    case_person, contact = make_person("Ca bệnh", "+84900000011"), make_person("F1", "+84900000012")
    now = timezone.now()
    CheckIn.objects.create(venue=venue, person=contact, entered_at=now, method="self_scan")
    Device.objects.create(token_hash="t" * 40, person=contact)
    case = Case.objects.create(person=case_person, confirmed_at=now - timedelta(hours=1))
    Exposure.objects.create(case=case, person=contact, level="F1", source_person=case_person)
    TimelinePlace.objects.create(case=case, place="Chợ", started_at=now)
    VenueAlert.objects.create(case=case, venue=venue, starts_at=now - timedelta(hours=1), ends_at=now)
    TraceJob.objects.create(case=case, reason="registered")
    Message.objects.create(person=contact, reference=f"case:{case.pk}", body="…", next_attempt_at=now)
    LegalHold.objects.create(
        case=case, reason="Hết hạn hôm qua", until=timezone.localdate() - timedelta(days=1)
    )
    _quarantine_rows(contact)
    return case


def _quarantine_rows(person) -> None:
    from qrtrace.quarantine.models import (
        HealthCheck,
        OrderEvent,
        QuarantineOrder,
        QuarantinePolicy,
        QuarantineTest,
    )

    today = timezone.localdate()
    policy = QuarantinePolicy.objects.create(version="TEST", title="Thử", effective_from=today)
    order = QuarantineOrder.objects.create(
        person=person,
        reason="f1",
        vaccination="full",
        kind="home",
        address="1 Lê Lợi",
        start_date=today,
        planned_end=today + timedelta(days=5),
        policy=policy,
    )
    OrderEvent.objects.create(order=order, kind="create")
    HealthCheck.objects.create(order=order, day=today, slot="morning", spo2=98)
    QuarantineTest.objects.create(order=order, day=5, due_on=today + timedelta(days=4))


def test_shutdown_leaves_zero_rows_in_every_personal_table_and_proves_it(every_personal_table, monkeypatch):
    emptied = [model for model, rule in RETENTION.items() if rule.at_shutdown]
    assert all(model._base_manager.exists() for model in emptied)

    out = _shutdown(monkeypatch, None, "--yes-delete-everything")

    assert {model._meta.label: model._base_manager.count() for model in emptied} == dict.fromkeys(
        (model._meta.label for model in emptied), 0
    )
    tables = AuditEvent.objects.get(action="erase_all").details["tables"]
    for model in emptied:
        label = model._meta.label
        assert tables[label]["before"] > 0 and tables[label]["after"] == 0
        assert (
            f"{label}: {tables[label]['deleted']} deleted ({tables[label]['before']} before, 0 left)" in out
        )


def test_a_legal_hold_in_force_stops_the_shutdown_with_the_reason(province_data, monkeypatch):
    case = Case.objects.get()
    LegalHold.objects.create(case=case, reason="Toà án đang thụ lý", until=timezone.localdate())

    with pytest.raises(
        CommandError, match=r"1 legal hold\(s\) in force: case \d+ until .*Toà án đang thụ lý"
    ):
        _shutdown(monkeypatch, None, "--yes-delete-everything")
    assert Person.objects.count() == 3 and not AuditEvent.objects.filter(action="erase_all").exists()


def test_overriding_the_legal_holds_deletes_their_data_and_says_so_in_the_audit_log(
    province_data, monkeypatch
):
    hold = LegalHold.objects.create(
        case=Case.objects.get(), reason="Toà án đang thụ lý", until=timezone.localdate()
    )

    _shutdown(monkeypatch, None, "--yes-delete-everything", "--override-legal-holds")

    assert not Person.objects.exists() and not LegalHold.objects.exists()
    overridden = AuditEvent.objects.get(action="erase_all").details["legal_holds_overridden"]
    assert overridden == [{"id": hold.pk, "case": hold.case_id, "reason": "Toà án đang thụ lý"}]
