"""Reads for check-in pages, the gate scanner, visitor logs and the API."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.permissions import Rule, require_or_404, staffed_venue_codes, venues_q
from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.pagination import Page
from qrtrace.lib.rows import aware_utc, in_values, row_select
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue, VenueStatus

from .hooks import VenueAlert, venue_alerts
from .models import CheckIn, Device, Risk

# Exposure alerts look this far back over the places a returning person visited.
ALERT_WINDOW = timedelta(days=14)


def device_person(token: str) -> Person | None:
    """The person this phone is remembered as, if it is trusted to be them (services.devices)."""
    # Every scan and one-tap POST from a remembered phone: one statement written out (lib.rows), the
    # device found in a subquery (on PostgreSQL each statement is a round trip). A device remembered
    # before phones had to be proven (no `trust`) is a stranger's. The phone and citizen ID are not
    # read: their decryption was a tenth of a one-tap check-in's CPU, and neither the page nor the
    # check-in needs them (read, as deferred fields, if asked).
    return row_select(
        Person, _DEVICE_PERSON, [lookup_hash("device", token)], deferred=("phone", "citizen_id")
    )


# Only the models' own table and column names; the token's hash is a parameter.
_DEVICE_PERSON = f"id = (SELECT person_id FROM {Device._meta.db_table} WHERE token_hash = %s AND trust <> '')"  # noqa: S608


def open_checkin(*, person: Person, venue: Venue, now: datetime | None = None) -> CheckIn | None:
    """The visit `person` is in the middle of at `venue` (not left, usual stay not over), if any."""
    now = now or timezone.now()
    # Asked on every scan from a remembered phone, and nearly always "none": the question written
    # out (the ORM compiled it per call), the check-in itself read only when there is one.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, entered_at FROM checkins_checkin WHERE person_id = %s AND venue_id = %s "
            "AND left_at IS NULL AND entered_at > %s ORDER BY entered_at DESC LIMIT 1",
            [person.pk, venue.pk, connection.ops.adapt_datetimefield_value(now - venue.default_stay)],
        )
        row = cursor.fetchone()
    # entered_at with the id: on PostgreSQL the partition key, so one day's partition is read.
    return CheckIn.objects.get(pk=row[0], entered_at=aware_utc(row[1])) if row else None


class RecentVisit(NamedTuple):
    id: int
    venue_id: int
    entered_at: datetime
    left_at: datetime | None
    venue_commune: int


def recent_visits(*, person_id: int, since: datetime, until: datetime) -> list[RecentVisit]:
    """The person's check-ins anywhere that began in (since, until], newest first, with each venue's
    commune: what a new check-in is compared with (a repeat at the same venue, the review flags).

    One statement on the (person, entered_at) index, inside every check-in's write transaction: written
    out rather than compiled by the ORM per call, which cost more than running it.
    """
    return recent_visits_of([person_id], since=since, until=until).get(person_id, [])


def recent_visits_of(
    person_ids: Sequence[int], *, since: datetime, until: datetime
) -> dict[int, list[RecentVisit]]:
    """`recent_visits` of many people in one statement (a gate device's batch), by person."""
    if not person_ids:
        return {}
    adapt = connection.ops.adapt_datetimefield_value
    among, listed = in_values("c.person_id", person_ids, "bigint")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.person_id, c.id, c.venue_id, c.entered_at, c.left_at, v.commune_id "  # noqa: S608
            "FROM checkins_checkin c JOIN venues_venue v ON v.id = c.venue_id "
            f"WHERE {among} AND c.entered_at > %s AND c.entered_at <= %s "
            "ORDER BY c.entered_at DESC",
            [*listed, adapt(since), adapt(until)],
        )
        rows = cursor.fetchall()
    found: dict[int, list[RecentVisit]] = {}
    for person, pk, venue, entered, left, commune in rows:
        visit = RecentVisit(
            pk, venue, aware_utc(entered), aware_utc(left) if left is not None else None, commune
        )
        found.setdefault(person, []).append(visit)
    return found


class ReceiptLine(NamedTuple):
    """One check-in as its receipt shows it: no personal data beyond the name, nothing decrypted;
    times as the page writes them (local time, as the template filters `time` and `date` do)."""

    id: int
    risk: str
    risk_label: str
    venue_name: str
    person_name: str
    entered_time: str
    entered_date: str
    left_at: datetime | None
    left_time: str
    commune_id: int  # of the venue: which announcements its confirmation shows


def receipt_lines(*, checkin_ids: list[int], since: datetime | None = None) -> list[ReceiptLine]:
    """These check-ins for their receipt, oldest first: one statement written out, every phone that
    checks in reads its receipt once (the ORM's select_related compiled per call was most of it).
    `since`, when known, is the earliest time of entry among them: on PostgreSQL, the partition key
    that spares the planner every other day's partition."""
    if not checkin_ids:
        return []
    params = [int(pk) for pk in checkin_ids]
    if since is not None:
        params.append(connection.ops.adapt_datetimefield_value(since))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.risk, c.entered_at, c.left_at, v.name, p.full_name, v.commune_id "  # noqa: S608
            "FROM checkins_checkin c "
            "JOIN venues_venue v ON v.id = c.venue_id JOIN checkins_person p ON p.id = c.person_id "
            f"WHERE c.id IN ({', '.join(['%s'] * len(checkin_ids))})"
            + ("" if since is None else " AND c.entered_at >= %s")
            + " ORDER BY c.id",
            params,
        )
        rows = cursor.fetchall()
    lines = []
    for pk, risk, entered, left, venue, person, commune_id in rows:
        entered = timezone.localtime(aware_utc(entered))
        left = timezone.localtime(aware_utc(left)) if left is not None else None
        lines.append(
            ReceiptLine(
                pk,
                risk,
                Risk(risk).label,
                venue,
                person,
                # What the filters `time:"H:i"` and `date:"d/m/Y"` write, without their format parser.
                entered.strftime("%H:%M"),
                entered.strftime("%d/%m/%Y"),
                left,
                left.strftime("%H:%M") if left else "",
                commune_id,
            )
        )
    return lines


def latest_declaration_today(*, person: Person) -> CheckIn | None:
    """The person's most recent check-in today (anywhere), which carries today's declaration."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    return CheckIn.objects.filter(person=person, entered_at__gte=start).order_by("-entered_at").first()


def visited_alerts(*, person: Person, since: datetime) -> list[VenueAlert]:
    """The exposure alerts published since `since` at venues the person visited since then, oldest
    first: what the page of a remembered phone warns of, on every scan from it. The alerts still
    running come first (few, most days none: then nothing else is read); only then the person's
    visits, and only to those venues. Reading the person's two weeks of visits first cost a table
    row per visit on every such scan."""
    live = venue_alerts(venue_ids=None, since=since)
    if not live:
        return []
    among, listed = in_values("venue_id", sorted({alert["venue_id"] for alert in live}), "bigint")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT venue_id FROM checkins_checkin "  # noqa: S608
            f"WHERE person_id = %s AND entered_at >= %s AND {among}",
            [person.pk, connection.ops.adapt_datetimefield_value(since), *listed],
        )
        visited = {venue_id for (venue_id,) in cursor.fetchall()}
    return [alert for alert in live if alert["venue_id"] in visited]


def staff_venue(*, user, code: str, rule: Rule) -> Venue:
    """The active venue with `code` if `rule` (of accounts.permissions) lets `user` act there. 404
    otherwise, the same answer for "no such venue" and "not yours": staff learn nothing about others."""
    missing = _("No such venue in your area.")
    venue = Venue.objects.select_related("commune").filter(code=code, status=VenueStatus.ACTIVE).first()
    if venue is None:
        raise Http404(missing)
    require_or_404(rule, user, venue, message=missing)
    return venue


def staff_venue_list(*, user) -> QuerySet[Venue]:
    """The active venues a member of venue staff works at (officials open a venue from its page)."""
    venues = Venue.objects.filter(code__in=staffed_venue_codes(user), status=VenueStatus.ACTIVE)
    return venues.order_by("name")


def visitor_list(
    *,
    venue: Venue,
    day_from: date,
    day_to: date,
    risk: str = "",
    inside_only: bool = False,
    review_only: bool = False,
) -> QuerySet[CheckIn]:
    """Check-ins of `venue` on local days `day_from`..`day_to`, newest first (`review_only`: those
    flagged for review, see checkins.flags)."""
    start = timezone.make_aware(datetime.combine(day_from, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(day_to + timedelta(days=1), datetime.min.time()))
    checkins = CheckIn.objects.filter(venue=venue, entered_at__gte=start, entered_at__lt=end)
    if risk:
        checkins = checkins.filter(risk=risk)
    if inside_only:
        checkins = _inside(checkins, venue)
    if review_only:
        checkins = checkins.exclude(review_reason="")
    return checkins.select_related("person", "staff").order_by("-entered_at", "-pk")


def inside_count(*, venue: Venue) -> int:
    return _inside(CheckIn.objects.filter(venue=venue), venue).count()


def _inside(checkins: QuerySet[CheckIn], venue: Venue) -> QuerySet[CheckIn]:
    # Visits never checked out count as over after the usual stay, as the automatic check-out does.
    return checkins.filter(left_at__isnull=True, entered_at__gt=timezone.now() - venue.default_stay)


def checkin_for_official(*, user, checkin_id: int) -> CheckIn:
    """A check-in at a venue `user` covers; 404 otherwise, the same as a missing one (never reveal others)."""
    checkin = (
        CheckIn.objects.select_related("venue", "person")
        .filter(venues_q(user, "venue"), pk=checkin_id)
        .first()
    )
    if checkin is None:
        raise Http404(_("No such check-in in your area."))
    return checkin


def venue_checkin_page(*, venue: Venue, limit: int, offset: int) -> Page:
    """(total, one page) of the venue's check-ins, newest first."""
    checkins = CheckIn.objects.filter(venue=venue).select_related("person").order_by("-entered_at", "-pk")
    return Page(checkins.count(), list(checkins[offset : offset + limit]))


def declared_residences(*, person_ids: list[int], since: datetime) -> dict[int, list[str]]:
    """For each of these people whose check-ins since `since` declared a commune other than the one
    stored for them, the names of those communes (most recent first): a disagreement for officials
    to review. The stored residence is the trusted one (a declaration never changes it); this only
    shows that the person may live elsewhere. One query over the (person, entered_at) index."""
    if not person_ids:
        return {}
    rows = (
        CheckIn.objects.filter(
            person_id__in=person_ids, entered_at__gte=since, declared_commune__isnull=False
        )
        .exclude(declared_commune=F("person__commune"))
        .order_by("person_id", "-entered_at")
        .values_list("person_id", "declared_commune__name")
    )
    found: dict[int, list[str]] = {}
    for person_id, name in rows:
        names = found.setdefault(person_id, [])
        if name not in names:
            names.append(name)
    return found
