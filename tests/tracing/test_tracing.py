from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qrtrace.checkins.signals import late_checkins_recorded
from qrtrace.notifications.models import Message, MessageStatus
from qrtrace.tracing.models import Case, Exposure, ExposureStatus, TraceJob, VenueAlert
from qrtrace.tracing.services import (
    case_notifications_confirm,
    case_register,
    case_trace,
    exposure_dismiss,
    exposure_select_for_followup,
    trace_job_enqueue,
    trace_jobs_enqueue,
)
from qrtrace.tracing.tasks import trace_case
from tests import actors
from tests.tasks import run_queued_tasks

from .conftest import visit
from .reference import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbreak():
    """A case at a market with one F1, who later meets one F2 at a shop."""
    market, shop = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Cửa hàng", kind="shop")
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    f1 = actors.make_person("Tiếp xúc gần", "+84912000002", commune_id=actors.COMMUNE_A)
    f2 = actors.make_person("Tiếp xúc xa", "+84912000003", commune_id=actors.COMMUNE_A)
    visit(f0, market, 20)
    visit(f1, market, 20.5)
    visit(f1, shop, 30)
    visit(f2, shop, 30.2)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    return case, market, f1, f2


def test_tracing_stores_f1_and_f2_with_evidence_and_rule_version(outbreak, province_official):
    case, market, f1, f2 = outbreak
    summary = case_trace(case=case, actor=province_official)
    assert (summary.f1_count, summary.f2_count) == (1, 1)
    first = Exposure.objects.get(case=case, person=f1)
    assert (first.level, first.venue, first.overlap_minutes) == ("F1", market, 60)
    assert first.rule_version == summary.rule_version == case.rule_version
    assert first.evidence[0]["source_person_id"] == case.person_id
    second = Exposure.objects.get(case=case, person=f2)
    assert (second.level, second.source_person) == ("F2", f1)


def test_tracing_twice_changes_nothing_and_keeps_a_dismissal(outbreak, province_official):
    case, _market, f1, _f2 = outbreak
    case_trace(case=case, actor=province_official)
    exposure_dismiss(exposure=Exposure.objects.get(person=f1), actor=province_official, reason="Nhầm người")
    before = list(Exposure.objects.order_by("pk").values("pk", "person", "level", "status", "evidence"))
    case_trace(case=case, actor=province_official)
    assert (
        list(Exposure.objects.order_by("pk").values("pk", "person", "level", "status", "evidence")) == before
    )


def test_tracing_drafts_one_venue_alert_per_visited_venue(outbreak, province_official):
    case, market, _f1, _f2 = outbreak
    case_trace(case=case, actor=province_official)
    alert = VenueAlert.objects.get(case=case)
    assert (alert.venue, alert.status) == (market, "draft")
    assert alert.starts_at == T0 + timedelta(hours=20)


def test_a_late_check_in_queues_a_retrace_that_the_worker_runs(
    outbreak, province_official, django_capture_on_commit_callbacks
):
    case, market, _f1, _f2 = outbreak
    case_trace(case=case, actor=province_official)
    latecomer = actors.make_person("Đến muộn", "+84912000004")
    checkin = visit(latecomer, market, 20.7)
    with django_capture_on_commit_callbacks(execute=True):
        late_checkins_recorded.send(
            sender=None, checkin_ids=[checkin.pk], venue_ids=[market.pk], earliest=checkin.entered_at
        )
    assert TraceJob.objects.filter(case=case, started_at__isnull=True).count() == 1
    assert run_queued_tasks() >= 1
    assert Exposure.objects.get(case=case, person=latecomer).level == "F1"
    assert not TraceJob.objects.filter(done_at__isnull=True).exists()


def test_a_late_check_in_long_after_every_window_queues_nothing(outbreak):
    case, market, _f1, _f2 = outbreak
    # Isolated when confirmed: a window not yet closed by isolation runs to now and is always touched.
    Case.objects.filter(pk=case.pk).update(isolated_at=case.confirmed_at)
    late_checkins_recorded.send(
        sender=None, checkin_ids=[], venue_ids=[market.pk], earliest=T0 + timedelta(days=30)
    )
    assert not TraceJob.objects.exists()


def test_each_exposed_person_gets_one_message_per_case_even_when_traced_twice(
    outbreak, province_official, django_capture_on_commit_callbacks
):
    case, _market, f1, f2 = outbreak
    case_trace(case=case, actor=province_official)
    with django_capture_on_commit_callbacks(execute=True):
        case_notifications_confirm(case=case, actor=province_official)
    case_trace(case=case, actor=province_official)
    with pytest.raises(ValidationError):  # nobody left to tell
        case_notifications_confirm(case=case, actor=province_official)
    assert sorted(Message.objects.values_list("person_id", flat=True)) == sorted([f1.pk, f2.pk])
    assert all("Trạm Y tế" in body for body in Message.objects.values_list("body", flat=True))
    assert run_queued_tasks() == 1  # the delivery the first trace queued; the second queued nothing new
    run_queued_tasks()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert set(Exposure.objects.values_list("status", flat=True)) == {ExposureStatus.NOTIFIED}


def test_selecting_contacts_for_follow_up_is_one_call_that_stamps_them(outbreak, province_official):
    case, _market, _f1, _f2 = outbreak
    case_trace(case=case, actor=province_official)
    chosen = exposure_select_for_followup(
        case=case, exposure_ids=list(Exposure.objects.values_list("pk", flat=True)), actor=province_official
    )
    assert len(chosen) == 2
    assert all(e.selected_for_followup_at for e in Exposure.objects.all())


def test_registering_a_case_queues_its_trace(province_official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = case_register(actor=province_official, phone="0912000001", full_name="A", confirmed_at=T0)
    job = TraceJob.objects.get()
    assert job.case == case
    assert len(callbacks) == 1  # the task is queued once the registration has committed
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["kwargs"]) == (trace_case.module_path, {"job_id": job.pk})


def test_a_late_check_in_during_a_running_trace_queues_another_run(outbreak):
    case, _market, _f1, _f2 = outbreak
    trace_job_enqueue(case=case, reason="registered")
    TraceJob.objects.update(started_at=T0)  # a worker has started it
    trace_job_enqueue(case=case, reason="late check-in")
    assert TraceJob.objects.filter(started_at__isnull=True).count() == 1


def test_many_cases_queue_one_job_each_and_a_waiting_one_is_not_queued_again(
    outbreak, django_assert_num_queries
):
    case, _market, _f1, _f2 = outbreak
    other = Case.objects.create(person=actors.make_person("Ca khác", "+84912000009"), confirmed_at=T0)
    running = Case.objects.create(person=actors.make_person("Ca thứ ba", "+84912000008"), confirmed_at=T0)
    trace_job_enqueue(case=case, reason="registered")
    trace_job_enqueue(case=running, reason="registered")
    TraceJob.objects.filter(case=running).update(started_at=T0)  # a worker has started it
    trace_jobs_enqueue(case_ids=[case.pk, other.pk, running.pk], reason="late check-in")
    waiting = TraceJob.objects.filter(started_at__isnull=True)
    assert sorted(waiting.values_list("case_id", "reason")) == sorted(
        [(case.pk, "registered"), (other.pk, "late check-in"), (running.pk, "late check-in")]
    )
    with django_assert_num_queries(1):  # every case has a job waiting: one read, no INSERT
        trace_jobs_enqueue(case_ids=[case.pk, other.pk, running.pk], reason="late check-in")


def test_a_failing_trace_job_keeps_its_error_and_waits_for_the_next_run(
    outbreak, monkeypatch, django_capture_on_commit_callbacks
):
    case, _market, _f1, _f2 = outbreak
    with django_capture_on_commit_callbacks(execute=True):
        trace_job_enqueue(case=case, reason="registered")
    monkeypatch.setattr("qrtrace.tracing.services.trace_from_database", _broken)
    assert run_queued_tasks() == 1
    job, attempt = TraceJob.objects.get(), DBTaskResult.objects.get()
    assert (len(attempt.worker_ids), attempt.status, job.done_at) == (1, "READY", None)  # to be retried
    assert "database away" in attempt.traceback
    assert attempt.run_after > timezone.now()  # after a back-off, not at once
    monkeypatch.undo()
    DBTaskResult.objects.update(run_after=timezone.now())  # the back-off has passed
    assert run_queued_tasks() == 1
    assert TraceJob.objects.get().done_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def _broken(*args, **kwargs):
    raise OSError("database away")


def test_a_discarded_case_closes_its_contacts_and_retracts_its_alerts(outbreak, province_official):
    from qrtrace.tracing.services import case_update

    case, _market, _f1, _f2 = outbreak
    case_trace(case=case, actor=province_official)
    VenueAlert.objects.update(status="published")
    case_update(
        case=case,
        actor=province_official,
        status="discarded",
        isolated_at=None,
        treated_at_place="",
        notes="PCR sai",
    )
    assert set(Exposure.objects.values_list("status", flat=True)) == {ExposureStatus.CLOSED}
    assert set(VenueAlert.objects.values_list("status", flat=True)) == {"retracted"}


def test_a_new_isolation_time_queues_a_retrace(client, outbreak, commune_official):
    case, _market, _f1, _f2 = outbreak
    client.force_login(commune_official)
    client.post(
        f"/tracing/cases/{case.pk}/edit",
        {"status": "active", "isolated_at": "2026-03-02T12:00", "treated_at_place": "BV Đa khoa tỉnh"},
    )
    case.refresh_from_db()
    assert (case.treated_at_place, case.isolated_at.hour) == ("BV Đa khoa tỉnh", 5)  # 12:00 in Vietnam
    assert TraceJob.objects.filter(case=case, reason="isolation changed").exists()


def test_a_retrace_whose_task_was_never_queued_is_queued_by_the_sweep(outbreak):
    from qrtrace.tracing.tasks import STRANDED_AFTER, trace_stranded

    case, _market, _f1, _f2 = outbreak
    trace_job_enqueue(case=case, reason="registered")  # its on-commit enqueue never ran: a crash
    assert trace_stranded.call() == 0  # too young: its task may just be on its way
    TraceJob.objects.update(created_at=timezone.now() - STRANDED_AFTER - timedelta(minutes=1))
    assert trace_stranded.call() == 1
    assert trace_stranded.call() == 0  # queued already: not twice
    assert run_queued_tasks() == 1
    assert TraceJob.objects.get().done_at is not None
