from django.db import models


class TokenBucket(models.Model):
    """Rate-limit state for one (scope, key) pair; see qrtrace.lib.ratelimit.

    Only a keyed hash of the pair is stored, never the IP address or phone number itself.
    """

    key = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField()
    updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["updated"], name="lib_tokenbucket_updated")]

    def __str__(self) -> str:
        # The key is a hash; its prefix is enough to tell buckets apart in the admin and in logs.
        return f"{self.key[:12]}: {self.tokens:.2f} tokens"


class BackgroundWorker(models.Model):
    """A running `qrtrace worker`, alive while it beats (see qrtrace.lib.background).

    A RUNNING task whose worker stopped beating (killed, machine gone) is given back to the queue.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id


class ScheduleRun(models.Model):
    """One firing of a schedule (settings.QRTRACE_SCHEDULES) for one period.

    The unique pair is the lock between workers: of two inserting the same period, one wins and queues
    the task, in the same transaction; the other learns the period is taken.
    """

    name = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    task_id = models.UUIDField(null=True)
    fired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period_start"], name="lib_schedulerun_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.period_start:%Y-%m-%d %H:%M}"
