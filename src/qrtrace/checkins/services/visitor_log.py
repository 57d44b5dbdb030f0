"""Visitor logs: an official reading or exporting a venue's check-ins (audited)."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max, QuerySet

from qrtrace.audit.services import audit_event_create
from qrtrace.lib.pagination import Page
from qrtrace.venues.models import Venue
from qrtrace.venues.selectors import venue_get

from ..models import CheckIn
from ..selectors import venue_checkin_page


@transaction.atomic
def visitor_log_read(
    *,
    user,
    venue: Venue,
    checkins: Sequence[CheckIn] | QuerySet[CheckIn],
    action: str,
    request=None,
    filters: dict,
    purpose: str = "",
) -> Sequence[CheckIn] | QuerySet[CheckIn]:
    """Audit that `user` saw (action "read") or exported (action "export", with the `purpose` they
    stated) these visitors of `venue`; returns what they may be shown.

    `checkins` is either the rows shown (a page), returned as they are, or a QuerySet of every
    check-in the filters match (an export, of any size), audited in the database: its people become
    the event's subjects in one INSERT … SELECT, and the event records how many rows it holds. The
    QuerySet returned stops at the newest check-in of that moment: the file, streamed after this
    event is committed, then holds no one the event does not name.
    """
    details = {key: str(value) for key, value in filters.items()}
    if isinstance(checkins, QuerySet):
        latest = CheckIn.objects.aggregate(latest=Max("pk"))["latest"] or 0
        checkins = checkins.filter(pk__lte=latest)
        details |= {"rows": checkins.count(), "last_checkin_id": latest}
        person_ids = checkins.values_list("person_id", flat=True)
    else:
        person_ids = [checkin.person_id for checkin in checkins]
    audit_event_create(
        actor=user,
        action=action,
        object_type="visitor_log",
        object_id=venue.code,
        purpose=purpose or f"visitor log of venue {venue.code}",
        request=request,
        person_ids=person_ids,
        details=details,
    )
    return checkins


def visitor_log_page(*, user, venue_id: int, limit: int, offset: int, request=None) -> Page:
    """One page of the visitor log of a venue in `user`'s area, newest first, audited as read."""
    venue = venue_get(user=user, venue_id=venue_id)
    page = venue_checkin_page(venue=venue, limit=limit, offset=offset)
    visitor_log_read(
        user=user,
        venue=venue,
        checkins=page.items,
        action="read",
        request=request,
        filters={"limit": limit, "offset": offset},
    )
    return page
