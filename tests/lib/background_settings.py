"""Settings for the worker processes tests/lib/test_worker_process.py starts: the project's, with test
schedules (TEST_SCHEDULES=1) or none, so a worker fires only what the test looks at."""

import os
from datetime import timedelta

from qrtrace.settings import *  # noqa: F403

QRTRACE_SCHEDULES = (
    {
        "every-second": {
            "task": "tests.lib.background_tasks.record_scheduled",
            "every": timedelta(seconds=1),
        },
        "daily": {"task": "tests.lib.background_tasks.record_scheduled", "every": timedelta(days=1)},
    }
    if os.environ.get("TEST_SCHEDULES") == "1"
    else {}
)
