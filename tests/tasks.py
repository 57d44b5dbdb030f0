"""Running queued background tasks inside a test, as `qrtrace worker` would (tests/lib covers the real
worker process)."""

from qrtrace.lib.background import Worker


def run_queued_tasks() -> int:
    """Run every task that is ready now, in this process and its test transaction; schedules are not
    fired (a test's fixed dates would be purged). Returns how many ran."""
    return Worker(fire=[]).run_until_idle()
