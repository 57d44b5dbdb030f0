"""Tracing reads, scoped to the official's area. A read that returns personal data records itself.

Scope: an official sees a case when the case's person lives in their area, and an exposure when the
exposed person does (a commune station must reach its residents exposed by a case elsewhere). The
province office also sees people with no commune on record, who belong to no station.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_read_person, can_trace, require, residents_q, venues_q
from qrtrace.audit.services import audit_event_create
from qrtrace.checkins.hooks import VenueAlert as PublicAlert
from qrtrace.checkins.models import CheckIn
from qrtrace.lib.cells import provenance
from qrtrace.lib.display import phone_text
from qrtrace.lib.pagination import Page
from qrtrace.lib.rows import aware_utc
from qrtrace.lib.search import PER_PAGE, Search
from qrtrace.people.selectors import phone_hash

from .models import (
    OPEN_EXPOSURE_STATUSES,
    AlertStatus,
    Case,
    Exposure,
    Level,
    TimelinePlace,
    VenueAlert,
)
from .rules import CaseFacts, Rules, Visit, case_visit_bounds, infectious_window, meets_window


def case_queryset(user: User) -> QuerySet[Case]:
    require(can_trace, user)
    return Case.objects.filter(residents_q(user)).select_related("person", "person__commune")


def case_list(
    *, user: User, status: str = "", search: Search | None = None, page: str | int | None = 1, request=None
) -> DjangoPage:
    """One page of the latest cases in the official's area (`search`: the person's name, the case
    number, or the person's phone); the read is audit-logged with the people on the page."""
    cases = case_queryset(user)
    if status:
        cases = cases.filter(status=status)
    if search:
        q = Q(person__full_name__icontains=search.text)
        if search.number is not None:
            q |= Q(pk=search.number)
        if search.phone:
            q |= Q(person__phone_hash=phone_hash(search.phone))
        cases = cases.filter(q)
    shown = Paginator(cases.order_by("-confirmed_at", "-pk"), PER_PAGE).get_page(page)
    audit_event_create(
        actor=user,
        action="list",
        object_type="case",
        purpose="contact tracing",
        request=request,
        person_ids=[c.person_id for c in shown],
        details={"status": status, "search": search.text if search else "", "page": shown.number},
    )
    return shown


def _no_such_case() -> Http404:
    # One answer for a missing case and one the official may not see, so ids cannot be probed.
    return Http404(_("No such case in your area."))


def case_in_area(*, user: User, case_id: int) -> Case:
    """The case, if its person is in the official's area (404 otherwise, as for a missing id)."""
    case = case_queryset(user).filter(pk=case_id).first()
    if case is None:
        raise _no_such_case()
    return case


def require_case_reach(*, user: User, case_id: int) -> None:
    """404 (as for a missing id) unless the case's person or one of its exposed people is in the
    official's area: a station reaches its residents exposed by another commune's case."""
    if not (
        case_queryset(user).filter(pk=case_id).exists()
        or Exposure.objects.filter(Q(case_id=case_id) & residents_q(user)).exists()
    ):
        raise _no_such_case()


def case_for_official(*, user: User, case_id: int, request: HttpRequest | None = None) -> Case:
    """The case in the official's area, for reading its personal data (audit-logged)."""
    case = case_in_area(user=user, case_id=case_id)
    audit_event_create(
        actor=user,
        action="read",
        object_type="case",
        object_id=case.pk,
        purpose="contact tracing",
        request=request,
        person_ids=[case.person_id],
    )
    return case


def exposure_queryset(*, user: User, case_id: int, level: str = "") -> QuerySet[Exposure]:
    require(can_trace, user)
    exposures = Exposure.objects.filter(Q(case_id=case_id) & residents_q(user))
    if level:
        exposures = exposures.filter(level=level)
    return exposures.select_related("person", "person__commune", "venue", "source_person", "case").order_by(
        "level", "overlap_start", "pk"
    )


def exposure_page(
    *, user: User, case_id: int, level: str = "", limit: int | None = 100, offset: int = 0, request=None
) -> Page:
    """(count, one page) of the case's exposures in the official's area (every one with no limit);
    the read is audit-logged naming the case and every person on the page."""
    require_case_reach(user=user, case_id=case_id)
    exposures = exposure_queryset(user=user, case_id=case_id, level=level)
    page = list(exposures[offset:] if limit is None else exposures[offset : offset + limit])
    count = len(page) if limit is None else exposures.count()
    audit_event_create(
        actor=user,
        action="read_exposures",
        object_type="case",
        object_id=case_id,
        purpose="contact tracing",
        request=request,
        person_ids=[e.person_id for e in page],
        details={"level": level, "offset": offset, "count": len(page)},
    )
    return Page(count, page)


@dataclass(frozen=True)
class TimelineItem:
    place: str
    address: str
    venue_code: str
    started_at: datetime
    ended_at: datetime | None
    from_checkin: bool
    # No check-out (the venue's usual stay), or cut at the window's end: not a recorded time.
    end_estimated: bool = False


@dataclass(frozen=True)
class Timeline:
    window_start: datetime
    window_end: datetime
    items: list[TimelineItem]
    # Not yet isolated: the window runs to now (`window_end` is the moment of the read).
    isolated: bool = True


def case_visits(case: Case, rules: Rules) -> tuple[tuple[datetime, datetime], list[tuple[Visit, CheckIn]]]:
    """The infectious window (to now while the case is not isolated) and the case's check-ins that
    meet it, oldest first."""
    facts = CaseFacts(
        case.person_id, case.confirmed_at, case.symptom_onset, case.isolated_at, now=timezone.now()
    )
    window = infectious_window(facts, rules)
    lo, hi = case_visit_bounds(window, rules)
    rows = CheckIn.objects.filter(person_id=case.person_id, entered_at__gte=lo, entered_at__lte=hi)
    visits = []
    for checkin in rows.select_related("venue").order_by("entered_at", "pk"):
        visit = Visit(
            checkin.pk,
            checkin.person_id,
            checkin.venue_id,
            checkin.entered_at,
            checkin.left_at,
            checkin.venue.default_stay,
        )
        if meets_window(visit, window, rules):
            visits.append((visit, checkin))
    return window, visits


def case_timeline(*, user: User, case: Case, request: HttpRequest | None = None) -> Timeline:
    """Mốc dịch tễ: the case's visits in the infectious window plus the places added by hand."""
    rules = Rules.from_settings()
    window, visits = case_visits(case, rules)
    items = []
    for v, c in visits:
        end, estimated = v.shown_end(rules, window[1])
        venue = c.venue
        items.append(TimelineItem(venue.name, venue.address, venue.code, v.entered_at, end, True, estimated))
    items += [
        TimelineItem(p.place, p.address, "", p.started_at, p.ended_at, False)
        for p in TimelinePlace.objects.filter(case=case)
    ]
    items.sort(key=lambda item: item.started_at)
    audit_event_create(
        actor=user,
        action="read_timeline",
        object_type="case",
        object_id=case.pk,
        purpose="contact tracing",
        request=request,
        person_ids=[case.person_id],
    )
    return Timeline(window[0], window[1], items, isolated=case.isolated_at is not None)


def published_alerts(*, venue_ids, since: datetime) -> list[PublicAlert]:
    """Published alerts at these venues (None: at every venue, for the public page) whose risky period
    ends after `since` (for the check-in page), oldest first."""
    # Asked on every scan from a remembered phone (issue 18): written out, not compiled by the ORM
    # per call (the compilation was a third of that page's CPU).
    ids = None if venue_ids is None else list(venue_ids)
    if ids == []:
        return []
    sql = (
        "SELECT a.venue_id, v.name, a.starts_at, a.ends_at, a.end_estimated, a.message "
        "FROM tracing_venuealert a JOIN venues_venue v ON v.id = a.venue_id "
        "WHERE a.status = %s AND a.ends_at >= %s"
        + ("" if ids is None else f" AND a.venue_id IN ({', '.join(['%s'] * len(ids))})")
        + " ORDER BY a.starts_at"
    )
    params = [AlertStatus.PUBLISHED.value, connection.ops.adapt_datetimefield_value(since), *(ids or ())]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    alerts = []
    for venue_id, venue_name, starts_at, ends_at, estimated, message in rows:
        start, end = aware_utc(starts_at), aware_utc(ends_at)
        alerts.append(
            PublicAlert(
                venue_id=venue_id,
                venue_name=venue_name,
                start=start,
                end=end,
                message=message or alert_default_message(venue_name, start, end, estimated=bool(estimated)),
            )
        )
    return alerts


def alert_default_message(venue_name: str, start: datetime, end: datetime, *, estimated: bool) -> str:
    if estimated:
        text = _(
            "A confirmed case was at %(venue)s from %(start)s until about %(end)s (estimated: no "
            "check-out was recorded). If you were there then, you may have been exposed: contact your "
            "commune health station."
        )
    else:
        text = _(
            "A confirmed case was at %(venue)s between %(start)s and %(end)s. If you were there then, you "
            "may have been exposed: contact your commune health station."
        )
    return text % {
        "venue": venue_name,
        "start": date_format(timezone.localtime(start), "SHORT_DATETIME_FORMAT"),
        "end": date_format(timezone.localtime(end), "SHORT_DATETIME_FORMAT"),
    }


def exposure_in_area(*, user: User, exposure_id: int) -> Exposure:
    """An exposure of a person in the official's area: 403 for someone who traces nowhere, 404 for
    an id outside the area (as for a missing one)."""
    require(can_trace, user)
    exposures = Exposure.objects.filter(residents_q(user)).select_related("case__person")
    exposure = exposures.filter(pk=exposure_id).first()
    if exposure is None:
        raise Http404(_("No such contact in your area."))
    return exposure


def alert_list(*, user: User, status: str = "") -> QuerySet[VenueAlert]:
    require(can_trace, user)
    alerts = VenueAlert.objects.filter(venues_q(user, "venue")).select_related("venue")
    return (alerts.filter(status=status) if status else alerts).order_by("-starts_at")


def exposure_export(
    *, user: User, case: Case, request: HttpRequest | None = None
) -> tuple[list, list, list[str]]:
    """(header, rows, footer) of the case's exposures in the official's area, for CSV/XLSX; the
    export is audit-logged, and its footer signed, with the case as the stated purpose."""
    exposures = list(exposure_queryset(user=user, case_id=case.pk))
    purpose = f"contact tracing of case {case.pk}"
    audit_event_create(
        actor=user,
        action="export_exposures",
        object_type="case",
        object_id=case.pk,
        purpose=purpose,
        request=request,
        person_ids=[e.person_id for e in exposures],
    )
    header = [
        pgettext("exposure", "Level"),
        _("Full name"),
        _("Phone number"),
        _("Commune of residence"),
        _("Through (F1)"),
        _("Venue"),
        _("Venue address"),
        _("Contact from"),
        _("Contact until"),
        _("Minutes"),
        _("Status"),
    ]
    rows = [
        [
            e.level,
            e.person.full_name,
            phone_text(e.person.phone),
            e.person.commune.name if e.person.commune else "",
            e.source_person.full_name if e.level == Level.F2 else "",
            e.venue.name if e.venue else "",
            e.venue.address if e.venue else "",
            e.overlap_start,
            e.overlap_end,
            e.overlap_minutes,
            e.get_status_display(),
        ]
        for e in exposures
    ]
    footer = [
        _("Contacts of case %(id)d. Personal data: use only for disease control.") % {"id": case.pk},
        provenance(
            exported_by=user.get_username(),
            purpose=_("contact tracing of case %(id)d") % {"id": case.pk},
        ),
    ]
    return header, rows, footer


@dataclass(frozen=True)
class ExposureCounts:
    """How a level's contacts of one case split for an official: those in their area (the list they
    see), those a station elsewhere follows, and those with no residence on record, whom the
    province's worklist carries (`unknown_residence_list`), so that the figures add up."""

    total: int
    in_area: int
    unknown_residence: int

    @property
    def elsewhere(self) -> int:
        return self.total - self.in_area - self.unknown_residence


def exposure_counts(*, user: User, case_id: int) -> dict[str, ExposureCounts]:
    """Per level, the case's contacts split as the case page explains them (counts, no names)."""
    require(can_trace, user)
    area = residents_q(user)
    unknown = Q(person__commune__isnull=True)
    rows = (
        Exposure.objects.filter(case_id=case_id)
        .values("level")
        .annotate(
            total=Count("pk"),
            # An official who sees everyone has an empty area condition.
            in_area=Count("pk", filter=area) if area else Count("pk"),
            unknown_outside=Count("pk", filter=unknown & ~area) if area else Value(0),
        )
    )
    counts = {level: ExposureCounts(0, 0, 0) for level in Level.values}
    for row in rows:
        counts[row["level"]] = ExposureCounts(row["total"], row["in_area"], row["unknown_outside"])
    return counts


def unknown_residence_list(*, user: User, limit: int = 500, request=None) -> list[Exposure]:
    """The province's worklist: open contacts of any case with no residence on record (entered by
    hand, a dependant, a gate entry without a commune), whom no commune station sees. Audit-logged."""
    # Whoever reads the people with no commune on record: the province's own office.
    require(can_read_person, user, None, message=_("Only the provincial health office keeps this list."))
    shown = list(
        Exposure.objects.filter(person__commune__isnull=True, status__in=OPEN_EXPOSURE_STATUSES)
        .select_related("person", "person__guardian", "case", "venue")
        .order_by("level", "-case__confirmed_at", "pk")[:limit]
    )
    return _listed(user, shown, purpose="contacts without a known residence", request=request)


def followup_list(*, user: User, limit: int = 1000, request=None) -> list[Exposure]:
    """ "F1 to follow in my area": the open F1 contacts handed over for follow-up, of people in the
    official's area, by commune (until the quarantine app takes them over). Audit-logged."""
    require(can_trace, user)
    shown = list(
        Exposure.objects.filter(
            residents_q(user),
            level=Level.F1,
            status__in=OPEN_EXPOSURE_STATUSES,
            selected_for_followup_at__isnull=False,
        )
        .select_related("person", "person__commune", "case", "venue")
        .order_by("person__commune__name", "person__commune_id", "selected_for_followup_at", "pk")[:limit]
    )
    return _listed(user, shown, purpose="follow-up of contacts", request=request)


def _listed(user: User, shown: list[Exposure], *, purpose: str, request) -> list[Exposure]:
    """`shown`, once its reading is audit-logged with every person on it."""
    audit_event_create(
        actor=user,
        action="list",
        object_type="exposure",
        purpose=purpose,
        request=request,
        person_ids=[e.person_id for e in shown],
    )
    return shown
