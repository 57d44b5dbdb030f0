"""Queue messages and deliver them. Delivery runs in the worker (`qrtrace worker`, the
`deliver_due_messages` task), never in a request."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qrtrace.lib import background
from qrtrace.people.models import Person

from . import tasks
from .backends import get_backend
from .models import Channel, Message, MessageStatus
from .signals import message_sent

# While a worker holds a message it is invisible to the others; a crashed worker's message comes back.
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)


@dataclass(frozen=True)
class Outgoing:
    person: Person
    body: str
    priority: int = 0  # lower goes out first


def _address(person: Person) -> str:
    # A child or elderly relative without a phone is reached through their guardian's.
    if person.phone:
        return person.phone
    return person.guardian.phone if person.guardian_id and person.guardian.phone else ""


def messages_enqueue(*, reference: str, outgoing: list[Outgoing]) -> int:
    """Queue one SMS per person about `reference`; people already messaged about it are skipped.
    Returns how many were newly queued."""
    return messages_enqueue_many(items=[(reference, item) for item in outgoing])


@transaction.atomic
def messages_enqueue_many(*, items: list[tuple[str, Outgoing]]) -> int:
    """Queue one SMS per (reference, person) pair in one go, e.g. a bulk of quarantine orders, each
    with its own reference; pairs already queued are skipped. Returns how many were newly queued."""
    now = timezone.now()
    references = sorted({reference for reference, _item in items})
    already = set(Message.objects.filter(reference__in=references).values_list("reference", "person_id"))
    fresh = []
    for reference, item in items:
        if (reference, item.person.pk) in already:
            continue
        already.add((reference, item.person.pk))
        address = _address(item.person)
        fresh.append(
            Message(
                person=item.person,
                reference=reference,
                channel=Channel.SMS,
                address=address,
                body=item.body,
                priority=item.priority,
                next_attempt_at=now,
                status=MessageStatus.QUEUED if address else MessageStatus.FAILED,
                last_error="" if address else "no phone number",
            )
        )
    # ignore_conflicts: a second worker queuing the same case at the same moment adds nothing.
    Message.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    if any(message.status == MessageStatus.QUEUED for message in fresh):
        background.enqueue_on_commit(tasks.deliver_due_messages)
    return len(fresh)


def messages_cancel(*, reference: str, person_ids: Iterable[int]) -> int:
    """Withdraw the messages about `reference` to these people that have not gone out yet (the
    reason to send them is gone); returns how many. A worker that has just claimed one finds it
    cancelled and skips it; one already handed to the provider stays "sent", as it was."""
    return Message.objects.filter(
        reference=reference,
        person_id__in=list(person_ids),
        status__in=[MessageStatus.QUEUED, MessageStatus.RETRYING],
    ).update(status=MessageStatus.CANCELLED, next_attempt_at=timezone.now())


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4, … minutes after each failure, at most an hour."""
    return background.retry_delay(attempts, first=FIRST_RETRY)


def _claim(message_id: int, now: datetime) -> bool:
    # A conditional UPDATE is the lock: of two workers only one changes the row.
    return bool(
        Message.objects.filter(pk=message_id, next_attempt_at__lte=now)
        .filter(Q(status=MessageStatus.QUEUED) | Q(status=MessageStatus.RETRYING))
        .update(next_attempt_at=now + LEASE)
    )


def messages_deliver(*, limit: int = 200, now: datetime | None = None) -> int:
    """Send due messages through the configured backend, most urgent first; returns how many went out."""
    now = now or timezone.now()
    due = Message.objects.filter(
        status__in=[MessageStatus.QUEUED, MessageStatus.RETRYING], next_attempt_at__lte=now
    ).order_by("priority", "next_attempt_at", "pk")
    backend, sent = get_backend(), 0
    for message_id in list(due.values_list("pk", flat=True)[:limit]):
        if not _claim(message_id, now):
            continue
        message = Message.objects.get(pk=message_id)
        if message.status == MessageStatus.CANCELLED:  # withdrawn between the claim and now
            continue
        message.attempts += 1
        try:
            message.provider_ref = backend.send(
                channel=message.channel, address=message.address, body=message.body
            )
        except Exception as error:  # any failure: recorded and retried
            message.last_error = str(error)[:500] or type(error).__name__
            give_up = message.attempts >= settings.QRTRACE_NOTIFY_MAX_ATTEMPTS
            message.status = MessageStatus.FAILED if give_up else MessageStatus.RETRYING
            message.next_attempt_at = now + retry_delay(message.attempts)
        else:
            message.status, message.sent_at, message.last_error = MessageStatus.SENT, timezone.now(), ""
            sent += 1
        message.save(
            update_fields=["attempts", "provider_ref", "last_error", "status", "next_attempt_at", "sent_at"]
        )
        if message.status == MessageStatus.SENT:
            message_sent.send(sender=Message, reference=message.reference, person_id=message.person_id)
    return sent
