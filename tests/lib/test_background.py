"""The background-work mechanism in one process: schedules, retries, recovery, the ops page. The real
`qrtrace worker` processes (SIGKILL, two workers at once) are in test_worker_process.py."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qrtrace.lib import background
from qrtrace.lib.background import Schedule, Worker, schedule_fire, schedules, tasks_recover
from qrtrace.lib.models import BackgroundWorker, ScheduleRun, TokenBucket
from tests import actors
from tests.lib.background_tasks import fail, record
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

VN = timezone.get_fixed_timezone(7 * 60)


def _schedule(every: timedelta, at: timedelta = timedelta(0)) -> Schedule:
    return Schedule(name="test", task_path="tests.lib.background_tasks.record_scheduled", every=every, at=at)


def test_a_daily_schedule_at_half_past_midnight_counts_its_days_in_vietnam_time():
    daily = _schedule(timedelta(days=1), timedelta(minutes=30))
    yesterday, today = datetime(2026, 3, 1, 0, 30, tzinfo=VN), datetime(2026, 3, 2, 0, 30, tzinfo=VN)
    assert daily.period_start(datetime(2026, 3, 2, 0, 10, tzinfo=VN)) == yesterday
    assert daily.period_start(datetime(2026, 3, 2, 0, 30, tzinfo=VN)) == today
    assert daily.period_start(datetime(2026, 3, 2, 23, 59, tzinfo=VN)) == today


def test_a_five_minute_schedule_starts_its_periods_on_the_five_minutes():
    often = _schedule(timedelta(minutes=5))
    ten_past = datetime(2026, 3, 2, 9, 10, tzinfo=VN)
    assert often.period_start(datetime(2026, 3, 2, 9, 14, 59, tzinfo=VN)) == ten_past


def test_the_projects_schedules_all_name_tasks_and_cover_the_daily_jobs():
    names = {schedule.name for schedule in schedules()}
    assert {"purge", "partitions-ahead", "checkout-expired", "ratelimit-prune"} <= names


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"task": "qrtrace.lib.tasks.ratelimit_prune", "every": 60}, "'every' must be a timedelta"),
        (
            {
                "task": "qrtrace.lib.tasks.ratelimit_prune",
                "every": timedelta(hours=1),
                "at": timedelta(hours=2),
            },
            "'at' must be",
        ),
        ({"task": "qrtrace.lib.tasks.no_such_task", "every": timedelta(hours=1)}, "no_such_task"),
        ({"task": "qrtrace.lib.ratelimit.ratelimit_prune", "every": timedelta(hours=1)}, "is not a task"),
    ],
)
def test_a_bad_schedule_stops_the_worker_with_its_name(settings, entry, complaint):
    settings.QRTRACE_SCHEDULES = {"broken": entry}
    with pytest.raises(ImproperlyConfigured, match=complaint) as raised:
        schedules()
    assert "broken" in str(raised.value)


def test_a_schedule_fires_once_per_period_and_again_in_the_next():
    hourly = _schedule(timedelta(hours=1))
    now = datetime(2026, 3, 2, 9, 5, tzinfo=VN)
    assert schedule_fire(hourly, now=now)
    assert not schedule_fire(hourly, now=now + timedelta(minutes=50))  # another worker, same hour
    assert schedule_fire(hourly, now=now + timedelta(hours=1))
    runs = ScheduleRun.objects.order_by("period_start")
    assert [run.period_start for run in runs] == [
        datetime(2026, 3, 2, 9, tzinfo=VN),
        datetime(2026, 3, 2, 10, tzinfo=VN),
    ]
    # Each firing queued its task in the same transaction.
    queued = DBTaskResult.objects.values_list("pk", flat=True)
    assert {str(run.task_id) for run in runs} == {str(pk) for pk in queued}


def test_a_worker_fires_what_is_due_and_runs_it(settings):
    settings.QRTRACE_SCHEDULES = {
        "often": {"task": "tests.lib.background_tasks.record_scheduled", "every": timedelta(minutes=5)}
    }
    assert Worker().run_until_idle() == 1
    assert Worker().run_until_idle() == 0  # the period is taken
    assert TokenBucket.objects.get().tokens == 1


def test_a_task_follows_the_write_that_queued_it_only_once_it_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        background.enqueue_on_commit(record, key="after-commit")
        assert not DBTaskResult.objects.exists()
    callbacks[0]()
    assert run_queued_tasks() == 1
    assert TokenBucket.objects.get(key="after-commit").tokens == 1


def test_a_failing_task_is_retried_with_back_off_then_shown_as_failed(settings, client):
    settings.QRTRACE_TASK_MAX_ATTEMPTS = 3
    queued = fail.enqueue(message="gateway away")
    delays = []
    for _attempt in range(3):
        before = timezone.now()
        assert run_queued_tasks() == 1
        row = DBTaskResult.objects.get(pk=queued.id)
        if row.status == "READY":
            delays.append(row.run_after - before)
            assert run_queued_tasks() == 0  # not before its back-off
            DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())  # time passes
    assert [round(delay.total_seconds() / 10) * 10 for delay in delays] == [30, 60]
    assert (row.status, len(row.worker_ids)) == ("FAILED", 3)
    assert row.exception_class_path == "builtins.RuntimeError" and "gateway away" in row.traceback
    assert not TokenBucket.objects.exists()  # each failed attempt was rolled back
    client.force_login(actors.make_admin())
    page = client.get("/ops/background").content.decode()
    assert "tests.lib.background_tasks.fail" in page and "gateway away" in page
    assert "Tác vụ lỗi" in page  # "Failed tasks"


def test_the_ops_page_is_for_staff_only(client, province_official):
    client.force_login(province_official)
    assert client.get("/ops/background").status_code == 302  # to the admin sign-in


def test_the_ops_page_says_when_no_worker_runs(client):
    client.force_login(actors.make_admin())
    assert "Không có tiến trình nền nào đang chạy" in client.get("/ops/background").content.decode()


def test_a_task_whose_worker_stopped_beating_is_queued_again_and_the_others_are_left(settings):
    settings.QRTRACE_WORKER_LOST_AFTER = 60
    now = timezone.now()
    long_ago = now - timedelta(minutes=5)
    BackgroundWorker.objects.create(worker_id="dead", host="h", pid=1, started_at=long_ago, seen_at=long_ago)
    BackgroundWorker.objects.create(worker_id="alive", host="h", pid=2, started_at=long_ago, seen_at=now)
    for worker_id in ("dead", "alive"):
        row = DBTaskResult.objects.get(pk=record.enqueue(key=worker_id).id)
        row.claim(worker_id)
        DBTaskResult.objects.filter(pk=row.pk).update(started_at=long_ago)
    assert tasks_recover() == 1
    given_back = DBTaskResult.objects.get(status="READY")
    assert given_back.args_kwargs["kwargs"]["key"] == "dead"
    assert "WorkerLost" in given_back.traceback
    assert DBTaskResult.objects.get(status="RUNNING").worker_ids == ["alive"]
    DBTaskResult.objects.filter(pk=given_back.pk).update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    assert TokenBucket.objects.get(key="dead").tokens == 1


def test_qrtrace_check_refuses_a_bad_schedule_before_any_worker_starts(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.QRTRACE_SCHEDULES = {"typo": {"task": "qrtrace.lib.tasks.ratelimit_prune", "every": "1d"}}
    with pytest.raises(SystemCheckError, match="typo"):
        call_command("check")


def test_every_scheduled_task_of_the_project_runs_and_records_its_result(settings):
    # Each task's return value must be JSON: a datetime in a purge result would fail every night.
    assert Worker().run_until_idle() == len(settings.QRTRACE_SCHEDULES)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
