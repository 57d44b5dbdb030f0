"""Venue alerts: drafted from a case's visits by tracing, reviewed and published by an official."""

from collections.abc import Iterable
from datetime import datetime

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


def alerts_draft(*, case: Case, case_visits: Iterable[Visit], rules: Rules) -> None:
    """One draft per venue the case visited, spanning those visits. A re-trace refreshes drafts only:
    what an official published or retracted stays as they left it."""
    spans: dict[int, tuple[datetime, datetime]] = {}
    for visit in case_visits:
        start, end = spans.get(visit.venue_id, (visit.entered_at, visit.end(rules)))
        spans[visit.venue_id] = (min(start, visit.entered_at), max(end, visit.end(rules)))
    for venue_id, (start, end) in spans.items():
        alert, created = VenueAlert.objects.get_or_create(
            case=case, venue_id=venue_id, defaults={"starts_at": start, "ends_at": end}
        )
        if (
            not created
            and alert.status == AlertStatus.DRAFT
            and (alert.starts_at, alert.ends_at) != (start, end)
        ):
            alert.starts_at, alert.ends_at = start, end
            alert.save(update_fields=["starts_at", "ends_at", "updated_at"])


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
    alert.ends_at = ends_at or alert.ends_at
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
