"""Background work: Django's Tasks API (the `django-tasks` backport, database backend) and schedules.

One mechanism for every app, owned by none of them. An app declares its tasks in its own `tasks.py`
with `@background.task(...)` and enqueues them with `enqueue_on_commit` after the write they follow;
schedules are data in one place (`settings.QRTRACE_SCHEDULES`). One `qrtrace worker` process (which
`qrtrace serve` starts beside the web server) runs queued tasks and fires due schedules.

What the library's own `db_worker` does not do, and this worker adds:

- **Retry with back-off.** A task that raises is queued again `retry_delay(attempts)` later, and
  after `QRTRACE_TASK_MAX_ATTEMPTS` tries is left FAILED, with its traceback, for the ops page.
- **Nothing lost on SIGKILL.** `db_worker` leaves the task a killed worker was running RUNNING for
  ever. Here each worker beats a heartbeat row; a RUNNING task whose worker has not beaten for
  `QRTRACE_WORKER_LOST_AFTER` seconds is counted as a failed attempt and queued again.
- **Exactly once in effect.** Each attempt is fenced by its `started_at`: a task is marked done only
  if it is still RUNNING under the attempt that ran it. An `atomic=True` task runs in one transaction
  with that mark, so a run cut short leaves nothing, and a run whose attempt was taken over meanwhile
  rolls back. An `atomic=False` task commits as it goes (a purge in batches, an SMS handed to a
  gateway, a long build that must not hold SQLite's one write lock) and is written to be idempotent.
- **Schedules fired once per period** however many workers run: a `ScheduleRun` row unique on
  (schedule, period start) is inserted in the same transaction as the task it queues; the INSERT
  that wins is the only firing.
"""

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import task as _task
from django_tasks.base import DEFAULT_TASK_BACKEND_ALIAS, Task, TaskContext, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import BackgroundWorker, ScheduleRun

logger = logging.getLogger(__name__)

# Tasks that commit their own work (atomic=False), by module path: the worker does not wrap them.
_COMMITS_AS_IT_GOES: set[str] = set()

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


def task(*, atomic: bool, priority: int = 0, takes_context: bool = False) -> Callable[[Callable], Task]:
    """Declare a task (Django's `@task`). `atomic` must be chosen, because it decides what a worker
    killed mid-run leaves behind: True runs the task in one transaction with its "done" mark (keep
    such tasks short: on SQLite that transaction holds the write lock throughout); False lets the
    task commit as it goes, and the task must then be safe to run again."""

    def declare(func: Callable) -> Task:
        declared = _task(priority=priority, takes_context=takes_context)(func)
        if not atomic:
            _COMMITS_AS_IT_GOES.add(declared.module_path)
        return declared

    return declare


def is_last_attempt(context: TaskContext) -> bool:
    """Whether a failure now leaves the task failed for good (for a task declared takes_context=True
    that must then record the failure on its own domain row)."""
    return context.attempt >= settings.QRTRACE_TASK_MAX_ATTEMPTS


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits, so it never runs before (or without) the
    write that asked for it."""
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))


def pending_values(task: Task, kwarg: str) -> set:
    """The values of keyword argument `kwarg` among `task`'s results still to run or running."""
    pending = DBTaskResult.objects.filter(
        task_path=task.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    return set(pending.values_list(f"args_kwargs__kwargs__{kwarg}", flat=True))


def retry_delay(
    attempts: int, *, first: timedelta = FIRST_RETRY, longest: timedelta = LONGEST_RETRY
) -> timedelta:
    """Exponential back-off after `attempts` failures: first, 2×first, 4×first, … at most `longest`."""
    return min(first * 2 ** max(attempts - 1, 0), longest)


# --- Schedules -------------------------------------------------------------------------------------

# Periods are counted on local wall-clock time from a Monday, so "every day at 00:30" means 00:30 in
# Vietnam and "every 7 days" starts on Mondays.
_EPOCH = datetime(2024, 1, 1)


@dataclass(frozen=True)
class Schedule:
    name: str
    task_path: str
    every: timedelta
    at: timedelta  # offset of each period from the local start of its day (or week)

    def period_start(self, now: datetime) -> datetime:
        """The start of the period `now` falls in."""
        local = timezone.localtime(now).replace(tzinfo=None)
        periods = (local - _EPOCH - self.at) // self.every
        return timezone.make_aware(_EPOCH + self.at + periods * self.every)

    @property
    def task(self) -> Task:
        return import_string(self.task_path)


def schedules() -> list[Schedule]:
    """`settings.QRTRACE_SCHEDULES`, checked: a bad entry stops the worker at start with its name."""
    found = []
    for name, entry in settings.QRTRACE_SCHEDULES.items():
        every, at = entry.get("every"), entry.get("at", timedelta(0))
        if not isinstance(every, timedelta) or every < timedelta(seconds=1):
            raise ImproperlyConfigured(f"QRTRACE_SCHEDULES[{name!r}]: 'every' must be a timedelta ≥ 1 s.")
        if not isinstance(at, timedelta) or not timedelta(0) <= at < every:
            raise ImproperlyConfigured(
                f"QRTRACE_SCHEDULES[{name!r}]: 'at' must be a timedelta from 0 up to 'every'."
            )
        schedule = Schedule(name=name, task_path=entry["task"], every=every, at=at)
        try:
            if not isinstance(schedule.task, Task):
                raise ImportError(f"{schedule.task_path} is not a task")
        except ImportError as error:
            raise ImproperlyConfigured(f"QRTRACE_SCHEDULES[{name!r}]: {error}") from None
        found.append(schedule)
    return found


def schedule_fire(schedule: Schedule, *, now: datetime) -> bool:
    """Queue the schedule's task for the period `now` falls in, unless some worker already did.

    Not on commit: the period's row and the queued task commit together, so a crash between them
    cannot lose the period's run and a second worker cannot add another."""
    period = schedule.period_start(now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(name=schedule.name, period_start=period)
        except IntegrityError:
            return False
        run.task_id = schedule.task.enqueue().id
        run.save(update_fields=["task_id"])
    return True


# --- The worker ------------------------------------------------------------------------------------


class AttemptTakenOver(Exception):
    """The attempt was counted as lost (its worker seemed dead) and another may be running it."""


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker stopped beating while it ran."""


def _lost_after() -> timedelta:
    return timedelta(seconds=settings.QRTRACE_WORKER_LOST_AFTER)


def _attempt(row: DBTaskResult):
    # The fence: this attempt, and only while it is still the RUNNING one.
    return DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)


def _failed(row: DBTaskResult, error: BaseException) -> None:
    """Count a failed attempt: queue the task again after a back-off, or after the last try, FAILED."""
    now = timezone.now()
    attempts = len(row.worker_ids)
    give_up = attempts >= settings.QRTRACE_TASK_MAX_ATTEMPTS
    _attempt(row).update(
        status=TaskResultStatus.FAILED if give_up else TaskResultStatus.READY,
        run_after=now if give_up else now + retry_delay(attempts),
        finished_at=now if give_up else None,
        exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
        traceback="".join(format_exception(error)),
    )
    level, outcome = (logging.ERROR, "gave up") if give_up else (logging.WARNING, "will retry")
    logger.log(level, "task %s (%s) attempt %d: %s; %s", row.task_path, row.pk, attempts, error, outcome)


def tasks_recover(*, now: datetime | None = None) -> int:
    """Give back the tasks of workers that stopped beating (SIGKILL, power cut): each counts as a failed
    attempt and is queued again, or FAILED after the last try. Returns how many."""
    now = now or timezone.now()
    stale = now - _lost_after()
    alive = set(BackgroundWorker.objects.filter(seen_at__gte=stale).values_list("worker_id", flat=True))
    lost = [
        row
        for row in DBTaskResult.objects.running().filter(started_at__lt=stale)
        if not row.worker_ids or row.worker_ids[-1] not in alive
    ]
    for row in lost:
        _failed(row, WorkerLost(f"worker {row.worker_ids[-1] if row.worker_ids else '?'} stopped beating"))
    BackgroundWorker.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return len(lost)


class Worker:
    """Runs queued tasks and fires due schedules until stopped (SIGTERM/SIGINT: after the current task)."""

    def __init__(
        self, *, interval: float = 1.0, parent_pid: int | None = None, fire: list[Schedule] | None = None
    ):
        self.interval = interval
        self.parent_pid = parent_pid
        self.worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"
        self.schedules = schedules() if fire is None else fire
        self.beat_every = max(settings.QRTRACE_WORKER_LOST_AFTER / 4, 0.5)
        self._fired: dict[str, datetime] = {}  # the last period each schedule was seen fired
        self._stop = threading.Event()
        self._busy = False  # inside a step: claiming, running or recording a task
        self.ran = 0

    # Signals and heartbeat --------------------------------------------------------------------------

    def _on_signal(self, signum, frame) -> None:
        # A second signal stops at once: the task in hand is rolled back or, if it commits as it
        # goes, run again by the next worker.
        if self._stop.is_set() or not self._busy:
            raise SystemExit(1 if self._busy else 0)
        logger.warning("%s: stopping after the current task", signal.strsignal(signum))
        self._stop.set()

    def _beat(self) -> None:
        while not self._stop.wait(self.beat_every):
            try:
                BackgroundWorker.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())
            except OperationalError:  # the database is busy or away: the next beat tries again
                logger.warning("heartbeat of %s missed", self.worker_id)
        connection.close()

    # One step ---------------------------------------------------------------------------------------

    def fire_schedules(self, now: datetime) -> int:
        fired = 0
        for schedule in self.schedules:
            period = schedule.period_start(now)
            if self._fired.get(schedule.name) == period:
                continue  # this worker already knows the period is taken: no query
            fired += schedule_fire(schedule, now=now)
            self._fired[schedule.name] = period
        return fired

    def claim(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        # A plain read first: an idle worker then never takes SQLite's write lock to find nothing.
        if not ready.exists():
            return None
        with transaction.atomic():
            row = ready.select_for_update(skip_locked=True).first()
            if row is not None:
                row.claim(self.worker_id)
        return row

    def run_task(self, row: DBTaskResult) -> None:
        try:
            task = row.task
            args, kwargs = row.args_kwargs["args"], row.args_kwargs["kwargs"]
            if task.takes_context:
                args = [TaskContext(task_result=row.task_result), *args]
            atomic = row.task_path not in _COMMITS_AS_IT_GOES
            with transaction.atomic() if atomic else nullcontext():
                value = task.call(*args, **kwargs)
                done = _attempt(row).update(
                    status=TaskResultStatus.SUCCESSFUL,
                    finished_at=timezone.now(),
                    return_value=value,
                    exception_class_path="",
                    traceback="",
                )
                if not done:
                    raise AttemptTakenOver(row.pk)
        except AttemptTakenOver:
            outcome = "rolled back" if atomic else "stands (the task is idempotent)"
            logger.warning("task %s (%s) was taken over; this run %s", row.task_path, row.pk, outcome)
        except Exception as error:
            _failed(row, error)
        finally:
            self.ran += 1

    def step(self) -> bool:
        """Fire due schedules, then run one ready task; False when there was none."""
        self.fire_schedules(timezone.now())
        row = self.claim()
        if row is not None:
            self.run_task(row)
        return row is not None

    # Loops ------------------------------------------------------------------------------------------

    def run_until_idle(self) -> int:
        """Recover, fire due schedules and run every ready task, then return how many ran (cron, tests)."""
        tasks_recover()
        while self.step():
            pass
        return self.ran

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        now = timezone.now()
        BackgroundWorker.objects.create(
            worker_id=self.worker_id,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
        )
        heart = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        heart.start()
        logger.info("worker %s started: %d schedules", self.worker_id, len(self.schedules))
        last_recovery = 0.0
        try:
            while not self._stop.is_set():
                if self.parent_pid and os.getppid() != self.parent_pid:
                    logger.warning("the server that started this worker is gone: stopping")
                    break
                close_old_connections()  # as a request would: drop a broken or expired connection
                if time.monotonic() - last_recovery >= self.beat_every:
                    tasks_recover()
                    last_recovery = time.monotonic()
                self._busy = True
                try:
                    found = self.step()
                finally:
                    self._busy = False
                if not found and not self._stop.is_set():
                    self._stop.wait(self.interval)
        finally:
            self._stop.set()
            BackgroundWorker.objects.filter(worker_id=self.worker_id).delete()
            heart.join(timeout=5)


def background_prune(*, older_than: timedelta) -> int:
    """Delete finished task results and schedule runs older than `older_than`; failed ones are kept
    for the ops page until someone has had a week to look. Returns how many rows went."""
    cutoff = timezone.now() - older_than
    runs, _ = ScheduleRun.objects.filter(period_start__lt=cutoff).delete()
    results, _ = (
        DBTaskResult.objects.filter(finished_at__lt=cutoff)
        .exclude(status=TaskResultStatus.FAILED, finished_at__gte=timezone.now() - timedelta(days=7))
        .delete()
    )
    return runs + results


# --- The ops page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleState:
    schedule: Schedule
    last_run: ScheduleRun | None
    last_result: DBTaskResult | None


@dataclass(frozen=True)
class Overview:
    workers: list[BackgroundWorker]
    waiting: int
    running: int
    retrying: list[DBTaskResult]
    failed: list[DBTaskResult]
    schedules: list[ScheduleState]


def background_overview(*, limit: int = 100) -> Overview:
    """What the ops page shows: live workers, the queue, tasks being retried or failed, and schedules."""
    alive = BackgroundWorker.objects.filter(seen_at__gte=timezone.now() - _lost_after())
    alive = alive.order_by("started_at")
    results = DBTaskResult.objects.defer("return_value")
    ready = results.filter(status=TaskResultStatus.READY)
    states = []
    for schedule in schedules():
        last = ScheduleRun.objects.filter(name=schedule.name).order_by("-period_start").first()
        result = results.filter(pk=last.task_id).first() if last and last.task_id else None
        states.append(ScheduleState(schedule, last, result))
    return Overview(
        workers=list(alive),
        waiting=ready.filter(exception_class_path="").count(),
        running=results.filter(status=TaskResultStatus.RUNNING).count(),
        retrying=list(ready.exclude(exception_class_path="").order_by("run_after")[:limit]),
        failed=list(results.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")[:limit]),
        schedules=states,
    )
