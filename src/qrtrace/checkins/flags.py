"""Check-ins that look wrong are kept (a refused check-in is a contact tracing cannot find) but carry a
review reason that officials filter on in the visitor log. `CheckIn.review_reason` holds the codes,
comma-separated, in the order they were found.

The rules, chosen to cost nothing on the hot path beyond the one read `checkin_create` already makes
(the person's recent check-ins, on the (person, entered_at) index):

- outside_hours: entered more than QRTRACE_REVIEW_HOURS_MARGIN_MINUTES before the venue opens or after
  it closes (local time). Venues without hours, or open day and night, are never flagged.
- impossible_sequence: the same person entered another venue, in another commune, less than
  QRTRACE_REVIEW_SEQUENCE_SECONDS before or after. Neighbouring shops of one commune are minutes apart
  on foot, so only a change of commune counts; a shared or copied identity is the usual cause.
- long_stay: the visit lasted longer than QRTRACE_TRACING_MAX_STAY_HOURS, which tracing clamps to.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qrtrace.venues.models import Venue


class ReviewReason(models.TextChoices):
    OUTSIDE_HOURS = "outside_hours", _("Far outside opening hours")
    IMPOSSIBLE_SEQUENCE = "impossible_sequence", _("At another commune's venue minutes apart")
    LONG_STAY = "long_stay", _("Stay longer than the maximum (clamped by tracing)")


def sequence_window() -> timedelta:
    return timedelta(seconds=settings.QRTRACE_REVIEW_SEQUENCE_SECONDS)


def max_stay() -> timedelta:
    return timedelta(hours=settings.QRTRACE_TRACING_MAX_STAY_HOURS)


def entry_reasons(
    *, venue: Venue, entered_at: datetime, left_at: datetime | None, others: Iterable[tuple[datetime, int]]
) -> str:
    """The review reasons of a new check-in; `others` are (entered_at, commune) of the same person's
    recent check-ins at other venues."""
    reasons = []
    if venue.far_outside_hours(
        entered_at, margin=timedelta(minutes=settings.QRTRACE_REVIEW_HOURS_MARGIN_MINUTES)
    ):
        reasons.append(ReviewReason.OUTSIDE_HOURS)
    window = sequence_window()
    if any(commune != venue.commune_id and abs(at - entered_at) < window for at, commune in others):
        reasons.append(ReviewReason.IMPOSSIBLE_SEQUENCE)
    if left_at is not None and left_at - entered_at > max_stay():
        reasons.append(ReviewReason.LONG_STAY)
    return ",".join(reasons)


def with_reason(current: str, reason: str) -> str:
    """`current` with `reason` added once."""
    codes = [code for code in current.split(",") if code]
    return ",".join(codes if reason in codes else [*codes, reason])


def reason_labels(value: str) -> list[str]:
    """The translated labels of a stored review_reason (unknown codes shown as they are)."""
    labels = dict(ReviewReason.choices)
    return [str(labels.get(code, code)) for code in value.split(",") if code]
