"""Tracing data has its own retention: a closed case's contacts go QRTRACE_TRACING_RETENTION_DAYS
(90) after it closed, leaving figures without people; a legal hold keeps them while it is in force."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.notifications.models import Message
from qrtrace.people.models import Person
from qrtrace.privacy.models import LegalHold
from qrtrace.privacy.services import checkin_purge_expired
from qrtrace.tracing.models import (
    Case,
    CaseStatus,
    CaseSummary,
    ContactCount,
    Exposure,
    TimelinePlace,
    TraceJob,
    VenueAlert,
)
from tests.actors import COMMUNE_A, COMMUNE_B, make_venue
from tests.privacy.history import old_person, visits

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = date(2026, 11, 25)


@pytest.fixture
def venue(db):
    return make_venue()


def _message(person: Person, reference: str, *, days_ago: float) -> Message:
    message = Message.objects.create(person=person, reference=reference, body="…", next_attempt_at=NOW)
    Message.objects.filter(pk=message.pk).update(created_at=NOW - timedelta(days=days_ago))
    return message


def _closed_case(venue, *, closed_days_ago: float) -> Case:
    """A case confirmed `closed_days_ago` + 10 days ago with an F1 (commune A) and an F2 (commune B),
    its timeline, an alert, a trace job and the SMS sent to its contacts; every check-in expired."""
    confirmed = NOW - timedelta(days=closed_days_ago + 10)
    case_person = old_person("Ca bệnh F0", "+84900000001", now=NOW, commune_id=COMMUNE_A)
    f1 = old_person("F1 tiếp xúc", "+84900000002", now=NOW, commune_id=COMMUNE_A)
    f2 = old_person("F2 tiếp xúc", "+84900000003", now=NOW, commune_id=COMMUNE_B)
    days = (NOW - confirmed).days
    for person in (case_person, f1, f2):
        visits(person, venue, days, now=NOW)
    case = Case.objects.create(
        person=case_person,
        confirmed_at=confirmed,
        status=CaseStatus.RECOVERED,
        closed_at=NOW - timedelta(days=closed_days_ago),
        rule_version="r1-test",
    )
    Exposure.objects.create(case=case, person=f1, level="F1", source_person=case_person, status="quarantined")
    Exposure.objects.create(case=case, person=f2, level="F2", source_person=f1, evidence=[{"checkin_id": 1}])
    TimelinePlace.objects.create(case=case, place="Nhà văn hoá thôn 3", started_at=confirmed)
    VenueAlert.objects.create(
        case=case, venue=venue, starts_at=confirmed, ends_at=confirmed + timedelta(hours=1)
    )
    TraceJob.objects.create(case=case, reason="registered")
    for person in (f1, f2):
        _message(person, f"case:{case.pk}", days_ago=closed_days_ago + 9)
    return case


def _hold(case: Case, until: date, **fields) -> LegalHold:
    return LegalHold.objects.create(case=case, reason="Thanh tra Sở yêu cầu giữ hồ sơ", until=until, **fields)


def test_a_closed_cases_contacts_are_purged_after_the_tracing_retention(venue):
    case = _closed_case(venue, closed_days_ago=91)

    result = checkin_purge_expired(now=NOW)

    for model in (Case, Exposure, TimelinePlace, VenueAlert, TraceJob, Message, CheckIn, Person):
        assert not model.objects.exists(), model
    assert (result.cases_deleted, result.exposures_deleted, result.messages_deleted) == (1, 2, 2)
    assert (result.cases_held, result.persons_deleted) == (0, 3)
    summary = CaseSummary.objects.get()
    assert (summary.commune_id, summary.outcome, summary.rule_version) == (COMMUNE_A, "recovered", "r1-test")
    assert summary.closed_on == (NOW - timedelta(days=91)).date()
    assert summary.confirmed_on == (NOW - timedelta(days=101)).date()
    counts = set(ContactCount.objects.values_list("level", "commune_id", "status", "count"))
    assert counts == {("F1", COMMUNE_A, "quarantined", 1), ("F2", COMMUNE_B, "new", 1)}
    assert case.pk  # the summary does not name it:
    assert not any(
        f.is_relation and f.related_model in (Case, Person) for f in CaseSummary._meta.get_fields()
    )


def test_within_the_tracing_retention_the_contacts_stay_but_their_old_check_ins_go(venue):
    _closed_case(venue, closed_days_ago=89)

    result = checkin_purge_expired(now=NOW)

    # A closed case reads no check-in any more: they follow the ordinary 21 days.
    assert not CheckIn.objects.exists()
    assert (Case.objects.count(), Exposure.objects.count(), Message.objects.count()) == (1, 2, 2)
    assert Person.objects.count() == 3
    assert (result.cases_deleted, result.persons_deleted) == (0, 0)


def test_a_legal_hold_keeps_everything_until_it_expires(venue):
    case = _closed_case(venue, closed_days_ago=120)
    _hold(case, until=TODAY + timedelta(days=5))

    held = checkin_purge_expired(now=NOW)

    assert (held.cases_deleted, held.cases_held, held.checkins_deleted) == (0, 1, 0)
    assert (Exposure.objects.count(), Person.objects.count(), CheckIn.objects.count()) == (2, 3, 3)

    # The hold runs through its last day, and no further.
    assert checkin_purge_expired(now=NOW + timedelta(days=5)).cases_held == 1
    after = checkin_purge_expired(now=NOW + timedelta(days=6))

    assert (after.cases_deleted, after.cases_held, after.persons_deleted) == (1, 0, 3)
    assert not LegalHold.objects.exists() and not CheckIn.objects.exists() and not Person.objects.exists()


def test_a_lifted_hold_no_longer_holds(venue):
    case = _closed_case(venue, closed_days_ago=120)
    _hold(case, until=TODAY + timedelta(days=30), lifted_at=NOW - timedelta(hours=1))
    _hold(case, until=TODAY - timedelta(days=1))  # expired yesterday

    assert checkin_purge_expired(now=NOW).cases_deleted == 1


def test_an_open_case_keeps_only_the_check_ins_tracing_may_read(venue):
    case_person = old_person("Ca bệnh F0", "+84900000001", now=NOW)
    contact = old_person("F1 tiếp xúc", "+84900000002", now=NOW)
    # Onset 30 days ago: tracing reads from 32 days ago (48 h before), less 3 × 12 h: 33.5 days.
    case = Case.objects.create(
        person=case_person, confirmed_at=NOW - timedelta(days=28), symptom_onset=NOW - timedelta(days=30)
    )
    Exposure.objects.create(case=case, person=contact, level="F1", source_person=case_person)
    read = [*visits(case_person, venue, 33, 31, now=NOW), *visits(contact, venue, 33.4, 25, now=NOW)]
    before_window = [*visits(case_person, venue, 34, now=NOW), *visits(contact, venue, 40, now=NOW)]

    result = checkin_purge_expired(now=NOW)

    assert sorted(CheckIn.objects.values_list("pk", flat=True)) == sorted(read)
    assert (result.checkins_deleted, result.checkins_held) == (len(before_window), len(read))


def test_a_held_case_keeps_the_check_ins_it_may_read_but_not_those_after_it_closed(venue):
    case = _closed_case(venue, closed_days_ago=30)  # confirmed 40 days ago; its check-ins from then
    _hold(case, until=TODAY + timedelta(days=10))
    after_closing = visits(case.person, venue, 25, now=NOW)

    checkin_purge_expired(now=NOW)

    assert CheckIn.objects.count() == 3
    assert not CheckIn.objects.filter(pk__in=after_closing).exists()


def test_messages_not_about_a_case_go_after_the_check_in_retention(venue):
    person = old_person("Xem dữ liệu của tôi", "+84900000009", now=NOW)
    visits(person, venue, 1, now=NOW)
    old = _message(person, "my-data:code", days_ago=22)
    recent = _message(person, "my-data:code2", days_ago=20)

    result = checkin_purge_expired(now=NOW)

    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert result.messages_deleted == 1 and old.pk


def test_the_command_reports_and_audits_the_tracing_purge(venue, capsys):
    _closed_case(venue, closed_days_ago=200)
    call_command("purge")
    event = AuditEvent.objects.get(action="purge")
    assert (event.details["cases_deleted"], event.details["exposures_deleted"]) == (1, 2)
    assert "tracing_cutoff" in event.details
    assert "1 cases and 2 exposures deleted" in capsys.readouterr().out


def test_cases_go_in_batches_each_leaving_exactly_one_summary(venue, monkeypatch):
    from qrtrace.privacy import services

    monkeypatch.setattr(services, "CASE_BATCH", 2)
    for n in range(5):
        Case.objects.create(
            person=old_person(f"Ca {n}", f"+8490000010{n}", now=NOW),
            confirmed_at=NOW - timedelta(days=120),
            status=CaseStatus.RECOVERED,
            closed_at=NOW - timedelta(days=100),
        )

    assert checkin_purge_expired(now=NOW).cases_deleted == 5
    assert CaseSummary.objects.count() == 5 and not Case.objects.exists()
