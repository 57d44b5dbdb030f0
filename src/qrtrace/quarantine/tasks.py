"""Quarantine's scheduled tasks (settings.QRTRACE_SCHEDULES): reminders to people at home who have
not reported in this slot, and a next-morning SMS to those who missed a whole day (the station sees
them first on its worklist, and calls)."""

from datetime import timedelta

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from qrtrace.lib import background
from qrtrace.notifications.services import Outgoing, messages_enqueue

from .links import report_url
from .models import OPEN_STATUSES, HealthCheck, Kind, QuarantineOrder
from .services.monitoring import current_slot


def _home_orders(day):
    return QuarantineOrder.objects.filter(
        kind=Kind.HOME, status__in=OPEN_STATUSES, start_date__lte=day
    ).select_related("person", "person__guardian")


def _send(kind: str, day, orders, body) -> int:
    # One message per person per order, day and kind (notifications' unique reference): a schedule
    # fired twice, or a worker retrying, sends nobody a second reminder.
    sent = 0
    for order in orders:
        reference = f"qr:{kind}:{order.pk}:{day:%Y%m%d}"
        sent += messages_enqueue(
            reference=reference, outgoing=[Outgoing(person=order.person, body=body(order), priority=2)]
        )
    return sent


# Not atomic: each message is queued in its own transaction, so a failure part-way keeps what was sent.
@background.task(atomic=False, priority=20)
def report_reminders() -> int:
    """Twice a day: remind everyone at home who has not yet reported in this slot."""
    now = timezone.localtime()
    day, slot = now.date(), current_slot(now)
    reported = HealthCheck.objects.filter(day=day, slot=slot).values("order_id")
    due = _home_orders(day).exclude(pk__in=reported)
    if slot == "evening":
        due = due.filter(checks_per_day__gte=2)

    def body(order):
        with translation.override("vi"):
            return _("QRTrace: please send your health report for this %(slot)s: %(link)s") % {
                "slot": _("morning") if slot == "morning" else _("evening"),
                "link": report_url(order.pk),
            }

    return _send(slot, day, due, body)


@background.task(atomic=False, priority=20)
def missed_report_alerts() -> int:
    """Each morning: people at home who sent no report at all yesterday are told the station will
    call them (the worklist shows them at the top)."""
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    reported = HealthCheck.objects.filter(day=yesterday).values("order_id")
    missed = _home_orders(yesterday).exclude(pk__in=reported)

    def body(order):
        with translation.override("vi"):
            return _(
                "QRTrace: we received no health report from you on %(day)s. Your commune health station "
                "will call you. Report here: %(link)s"
            ) % {"day": formats.date_format(yesterday, "d/m"), "link": report_url(order.pk)}

    return _send("missed", today, missed, body)
