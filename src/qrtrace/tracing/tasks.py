"""Tracing's background tasks: re-trace a case.

TraceJob rows stay the domain record of "this case waits for a re-trace, because …", and a task runs
each one. The rule "one waiting re-trace per case" is a constraint on TraceJob; it could not live on
the task queue's own table (a third-party table whose arguments are JSON), and the job row also lets
`trace_stranded` find a re-trace whose task was never queued.
"""

from datetime import timedelta

from django.utils import timezone

from qrtrace.lib import background

from . import services
from .models import TraceJob

STRANDED_AFTER = timedelta(minutes=10)


# Not atomic: the job is claimed in a commit of its own before tracing (see trace_job_run), and a
# trace is idempotent: the same data and rules give the same rows.
@background.task(atomic=False, priority=50)
def trace_case(*, job_id: int) -> bool:
    return services.trace_job_run(job_id=job_id)


@background.task(atomic=False, priority=0)
def trace_stranded() -> int:
    """Queue the task of every re-trace waiting longer than STRANDED_AFTER with none queued (the web
    process died between its commit and the enqueue that follows it)."""
    queued = background.pending_values(trace_case, "job_id")
    stranded = TraceJob.objects.filter(
        started_at__isnull=True, created_at__lt=timezone.now() - STRANDED_AFTER
    ).exclude(pk__in=queued)
    job_ids = list(stranded.values_list("pk", flat=True))
    for job_id in job_ids:
        trace_case.enqueue(job_id=job_id)
    return len(job_ids)
