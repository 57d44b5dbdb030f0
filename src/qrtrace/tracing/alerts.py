"""Venue alerts: drafted from a case's visits by tracing, reviewed and published by an official."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_review_alert, require
from qrtrace.audit.services import audit_event_create

from .models import AlertStatus, Case, VenueAlert
from .rules import Rules, Visit


def alerts_draft(*, case: Case, case_visits: Iterable[Visit], rules: Rules, until: datetime) -> None:
    """One draft per venue the case visited, spanning those visits and ending no later than `until`
    (the end of the case's window: isolation, or now); an end that is no recorded check-out is
    marked estimated. A re-trace refreshes drafts only: what an official published or retracted
    stays as they left it."""
    spans: dict[int, tuple[datetime, datetime, bool]] = {}
    for visit in case_visits:
        end, estimated = visit.shown_end(rules, until)
        start, latest, latest_estimated = spans.get(visit.venue_id, (visit.entered_at, end, estimated))
        if end > latest:
            latest, latest_estimated = end, estimated
        spans[visit.venue_id] = (min(start, visit.entered_at), latest, latest_estimated)
    for venue_id, (start, end, estimated) in spans.items():
        span = {"starts_at": start, "ends_at": end, "end_estimated": estimated}
        alert, created = VenueAlert.objects.get_or_create(case=case, venue_id=venue_id, defaults=span)
        if (
            not created
            and alert.status == AlertStatus.DRAFT
            and (alert.starts_at, alert.ends_at, alert.end_estimated) != (start, end, estimated)
        ):
            alert.starts_at, alert.ends_at, alert.end_estimated = start, end, estimated
            alert.save(update_fields=["starts_at", "ends_at", "end_estimated", "updated_at"])


@transaction.atomic
def alert_change(
    *,
    alert: VenueAlert,
    actor: User,
    status: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    message: str | None = None,
    request: HttpRequest | None = None,
) -> VenueAlert:
    """Edit, publish or retract an alert (a retracted one may be published again after a fix)."""
    require(can_review_alert, actor, alert.venue)
    if status not in AlertStatus.values:
        raise ValidationError({"status": [_("Unknown alert status.")]})
    alert.starts_at = starts_at or alert.starts_at
    if ends_at is not None:
        # An end the official moved is theirs, not a guess (the form shows whole minutes only).
        if abs(ends_at - alert.ends_at) >= timedelta(minutes=1):
            alert.end_estimated = False
        alert.ends_at = ends_at
    if alert.ends_at <= alert.starts_at:
        raise ValidationError({"ends_at": [_("The end is before the start.")]})
    if message is not None:
        alert.message = message.strip()[:500]
    if status == AlertStatus.PUBLISHED and alert.status != AlertStatus.PUBLISHED:
        alert.published_at = timezone.now()
    alert.status = status
    alert.changed_by = actor
    alert.save()
    audit_event_create(
        actor=actor,
        action=f"alert_{status}",
        object_type="venue_alert",
        object_id=alert.pk,
        purpose=f"case {alert.case_id}",
        request=request,
    )
    return alert
