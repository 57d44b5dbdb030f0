"""The real `qrtrace worker` process: SIGKILLed mid-task, and two started at once. On the suite's
database engine (SQLite here; PostgreSQL with DATABASE_URL=postgres://…), in a database of its own."""

import json
import os
import signal
import subprocess
import sys
import uuid

import pytest

from tests.servers import QRTRACE, LiveDatabase, stop, wait_for

TASKS = 12
FAST = {"QRTRACE_WORKER_LOST_AFTER": "2"}  # a killed worker is noticed within seconds, not a minute


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    database = LiveDatabase(tmp_path_factory.mktemp("worker"), "tests.lib.background_settings")
    yield database
    database.drop()


def _statuses(live: LiveDatabase, task: str) -> list[str]:
    rows = live.sql(f"SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%.{task}'")  # noqa: S608
    return [status for (status,) in rows]


def _runs(live: LiveDatabase, prefix: str) -> dict[str, float]:
    return dict(live.sql(f"SELECT key, tokens FROM lib_tokenbucket WHERE key LIKE '{prefix}%'"))  # noqa: S608


def test_a_worker_killed_mid_task_loses_nothing_and_every_task_runs_exactly_once(live):
    live.shell(
        "from tests.lib.background_tasks import record\n"
        f"for i in range({TASKS}):\n    record.enqueue(key=f'kill-{{i}}', hold=0.3)\n"
    )
    worker = live.start("worker", "--interval", "0.1", **FAST)
    wait_for(
        lambda: _statuses(live, "record").count("SUCCESSFUL") >= 3 and "RUNNING" in _statuses(live, "record"),
        what="three tasks done and a fourth running",
    )
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    killed = _statuses(live, "record")
    assert killed.count("RUNNING") == 1 and killed.count("SUCCESSFUL") < TASKS  # cut short mid-task

    restarted = live.start("worker", "--interval", "0.1", **FAST)
    try:
        wait_for(lambda: _statuses(live, "record").count("SUCCESSFUL") == TASKS, what="every task done")
    finally:
        stop(restarted)
    # Each task's row exists once and counts one run: the killed attempt's work was rolled back.
    assert _runs(live, "kill-") == {f"kill-{i}": 1 for i in range(TASKS)}
    attempts = [
        len(json.loads(ids) if isinstance(ids, str) else ids)
        for (ids,) in live.sql("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
    ]
    assert sorted(attempts) == [1] * (TASKS - 1) + [2]  # the killed one was tried again, once


def test_two_workers_started_at_once_fire_each_schedule_once_per_period(live):
    schedules = {"TEST_SCHEDULES": "1"}
    alive = "SELECT count(*) FROM lib_backgroundworker"
    ((before,),) = live.sql(alive)  # a killed worker's row stays behind it
    workers = [live.start("worker", "--interval", "0.1", **schedules) for _ in range(2)]
    try:
        wait_for(lambda: live.sql(alive) == [(before + 2,)], what="both workers up")
        seconds = "SELECT count(*) FROM lib_schedulerun WHERE name = 'every-second'"
        wait_for(lambda: live.sql(seconds)[0][0] >= 4, what="four one-second periods fired")
    finally:
        for worker in workers:
            stop(worker)
    assert all(worker.returncode == 0 for worker in workers), [w.stderr.read() for w in workers]
    live.run("worker", "--once")  # run what they queued and had not run yet (no schedules here)

    fired = live.sql("SELECT name, period_start, task_id FROM lib_schedulerun")
    daily = [row for row in fired if row[0] == "daily"]
    seconds = [row for row in fired if row[0] == "every-second"]
    assert len(daily) == 1
    assert len(seconds) >= 4
    assert len({period for _name, period, _task in seconds}) == len(seconds)
    # Each firing queued one task, which ran once.
    expected = {f"run:{uuid.UUID(str(task_id))}": 1 for _name, _period, task_id in fired}
    assert _runs(live, "run:") == expected


def test_a_worker_started_by_a_server_stops_when_the_server_is_killed(live):
    workers = "SELECT count(*) FROM lib_backgroundworker"
    ((before,),) = live.sql(workers)  # a killed worker's row stays behind it
    # What `qrtrace serve` does: start the worker with its own pid; here a stand-in parent.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time\n"
            f"subprocess.Popen([{QRTRACE!r}, 'worker', '--stop-with-parent', str(os.getpid())])\n"
            "time.sleep(120)\n",
        ],
        env=live.env,
    )
    wait_for(lambda: live.sql(workers) == [(before + 1,)], what="the worker started")
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    wait_for(lambda: live.sql(workers) == [(before,)], timeout=20, what="the orphaned worker stopping")
