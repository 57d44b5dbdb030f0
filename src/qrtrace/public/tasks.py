"""The public app's background task: queue an urgent announcement's SMS."""

from qrtrace.lib import background

from . import services, sms


# Not atomic: people are queued in batches, each committed; a rerun skips those already queued
# (notifications keeps one message per person per reference).
@background.task(atomic=False, priority=30)
def announcement_sms(*, announcement_id: int) -> int:
    return sms.announcement_sms_queue(announcement_id=announcement_id)


@background.task(atomic=True, priority=0)
def feedback_purge() -> int:
    return services.feedback_purge()
