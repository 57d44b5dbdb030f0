"""Privacy's background task: the daily retention purge (scheduled in settings.QRTRACE_SCHEDULES)."""

from dataclasses import asdict
from datetime import datetime

from django.utils import timezone

from qrtrace.lib import background

from .services import checkin_purge_expired


# Not atomic: the purge deletes in batches, each its own transaction (one transaction over a day's
# check-ins would hold every check-in behind it); run again, it deletes what is left.
@background.task(atomic=False, priority=-10)
def purge() -> dict:
    result = checkin_purge_expired(now=timezone.now())
    # The counts, as the task's result (JSON); the cutoffs are in the audit event and the log.
    return {key: value for key, value in asdict(result).items() if not isinstance(value, datetime)}
