"""lib's own background tasks: housekeeping (scheduled in settings.QRTRACE_SCHEDULES)."""

from datetime import timedelta

from . import background, ratelimit

# Finished task results and schedule runs are kept this long (failed tasks at least a week).
KEEP_RESULTS = timedelta(days=2)


@background.task(atomic=True, priority=-20)
def ratelimit_prune() -> int:
    return ratelimit.ratelimit_prune()


@background.task(atomic=True, priority=-20)
def background_prune() -> int:
    return background.background_prune(older_than=KEEP_RESULTS)
