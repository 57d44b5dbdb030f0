"""Tasks for the tests of qrtrace.lib.background: each leaves a row under a unique key and counts its
runs there, so a test can tell "ran exactly once" from "ran twice"."""

import time

from django.db.models import F
from django.utils import timezone

from qrtrace.lib import background
from qrtrace.lib.models import TokenBucket


def _count_run(key: str) -> None:
    bucket, _created = TokenBucket.objects.get_or_create(
        key=key, defaults={"tokens": 0, "updated": timezone.now()}
    )
    TokenBucket.objects.filter(pk=bucket.pk).update(tokens=F("tokens") + 1)


@background.task(atomic=True)
def record(*, key: str, hold: float = 0.0) -> str:
    """Count a run under `key`, then hold the transaction open for `hold` seconds (time to be killed)."""
    _count_run(key)
    time.sleep(hold)
    return key


@background.task(atomic=True, takes_context=True)
def record_scheduled(context) -> str:
    """Count a run under the task's own id (one per scheduled firing)."""
    _count_run(f"run:{context.task_result.id}")
    return context.task_result.id


@background.task(atomic=True)
def fail(*, message: str) -> None:
    _count_run(f"fail:{message}")  # rolled back with the failure: a failed attempt leaves nothing
    raise RuntimeError(message)
