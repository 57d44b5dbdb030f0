"""Check-ins' background tasks (scheduled in settings.QRTRACE_SCHEDULES)."""

from qrtrace.lib import background

from .partitions import partition_ensure
from .services.visits import checkins_expire


# Not atomic: each UPDATE commits on its own so check-ins interleave on SQLite; a second run finds
# nothing left to close.
@background.task(atomic=False, priority=-10)
def checkout_expired() -> int:
    return checkins_expire()


@background.task(atomic=True, priority=-10)
def partitions_ahead() -> int:
    return len(partition_ensure())
