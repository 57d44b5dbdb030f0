"""Who may do what: the one module every app asks before it reads or changes anything for an official.

Each rule is named for what the caller wants to do (`can_trace`, `can_manage_venue`, …) and takes the
user and plain values: commune numbers, or an object with `code` and `commune_id` (a venue). This app
sits below venues, check-ins and tracing, so it never imports them: the apps above pass what a rule
needs. Every rule reads the user's Jurisdiction (`geo.jurisdiction`, the area algebra), computed once
per request from their memberships and kept on the user object (`selectors.user_jurisdiction`): a
rule costs no query, however many times a request asks it.

`require` and `require_or_404` give a refusal the answer docs/security.md promises: 404 wherever the
request names a record by id or code (one answer for missing and forbidden, so ids and codes outside
one's area reveal nothing, not even that they exist); 403 where it names no record, or names one the
caller's role may see but not change (venue staff suspending their own venue).

`venues_q` and `residents_q` are the same rules as database filters, for lists.
"""

from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.selectors import commune_province_code

from .selectors import user_jurisdiction


class VenueLike(Protocol):
    """What a venue rule reads of a venue (venues.Venue is one)."""

    code: str
    commune_id: int | None


Rule = Callable[..., bool]
_VENUE_OUTSIDE = _("This venue is outside your area.")
_COMMUNE_OUTSIDE = _("This commune is outside your area.")


def _rule(refusal: Promise) -> Callable[[Rule], Rule]:
    """Declare a rule with the message its refusal (403) carries."""

    def declare(rule: Rule) -> Rule:
        rule.refusal = refusal
        return rule

    return declare


def require(rule: Rule, user, *args, message: str | Promise | None = None) -> None:
    """PermissionDenied (403) unless `rule(user, *args)`: for a request that names no record, or names
    one the caller may see but not change."""
    if not rule(user, *args):
        raise PermissionDenied(str(message or rule.refusal))


def require_or_404(rule: Rule, user, *args, message: str | Promise) -> None:
    """Http404 unless `rule(user, *args)`: the request names a record, and one outside the caller's
    area is answered exactly as a missing one (`message` is the "no such …" of that record)."""
    if not rule(user, *args):
        raise Http404(str(message))


def _area_official_of(user, commune_code: int | None) -> bool:
    jurisdiction = user_jurisdiction(user)
    return jurisdiction.covers_areas and jurisdiction.covers_commune(commune_code)


def _covers_venue(user, venue: VenueLike) -> bool:
    return user_jurisdiction(user).covers_venue(venue_code=venue.code, commune_code=venue.commune_id)


# --- officials of an area ---------------------------------------------------------------------------


def is_area_official(user) -> bool:
    """An official of a whole province or commune (not only of a venue or a facility)."""
    return user_jurisdiction(user).covers_areas


def home_commune(user) -> int | None:
    """A commune station's own commune (None for anyone with several, or none): where a person it
    records first is taken to live, so the station keeps seeing them."""
    communes = user_jurisdiction(user).communes
    return next(iter(communes)) if len(communes) == 1 else None


# --- tracing ----------------------------------------------------------------------------------------


@_rule(_("Only commune and provincial health officials may trace cases."))
def can_trace(user) -> bool:
    """Register cases, list them, review venue alerts: commune and provincial health officials."""
    return is_area_official(user)


@_rule(_("This person lives outside your area."))
def can_read_person(user, commune_code: int | None) -> bool:
    """A person's record (a case, a contact) is read by the officials of where they live. The province
    office also reads people with no commune on record, who belong to no station."""
    jurisdiction = user_jurisdiction(user)
    if commune_code is None:
        return jurisdiction.everywhere or settings.QRTRACE_PROVINCE in jurisdiction.provinces
    return jurisdiction.covers_areas and jurisdiction.covers_commune(commune_code)


@_rule(_("This case is outside your area."))
def can_read_case(user, case_commune: int | None) -> bool:
    """A case is read and worked on (traced, edited, its contacts added or dismissed) by the tracers of
    where its person lives."""
    return can_read_person(user, case_commune)


@_rule(_VENUE_OUTSIDE)
def can_review_alert(user, venue: VenueLike) -> bool:
    """Publish, edit or retract a venue alert: tracers covering the venue."""
    return can_trace(user) and _covers_venue(user, venue)


def residents_q(user, field: str = "person") -> Q:
    """`can_read_person` as a filter: people in the official's area, through `field` ("" for a query of
    people themselves)."""
    commune = f"{field}__commune" if field else "commune"
    jurisdiction = user_jurisdiction(user)
    if jurisdiction.everywhere:
        return Q()
    q = jurisdiction.area_q(commune)
    if settings.QRTRACE_PROVINCE in jurisdiction.provinces:
        q |= Q(**{f"{commune}__isnull": True})
    return q


# --- venues -----------------------------------------------------------------------------------------


@_rule(_COMMUNE_OUTSIDE)
def can_add_venue(user, commune_code: int) -> bool:
    """Register a venue directly (active at once): officials of its commune's area."""
    return _area_official_of(user, commune_code)


@_rule(_COMMUNE_OUTSIDE)
def can_issue_posters(user, commune_code: int) -> bool:
    """Ask for the posters of a whole commune: officials of its area."""
    return _area_official_of(user, commune_code)


def communes_q(user) -> Q:
    """`can_issue_posters` as a filter of communes themselves: those of the official's area."""
    jurisdiction = user_jurisdiction(user)
    if jurisdiction.everywhere:
        return Q()
    return Q(code__in=jurisdiction.communes) | Q(province__in=jurisdiction.provinces)


@_rule(_VENUE_OUTSIDE)
def can_approve_venue(user, venue: VenueLike) -> bool:
    """Approve, reject or suspend a venue: officials of its area, never its own staff."""
    return _area_official_of(user, venue.commune_id)


@_rule(_VENUE_OUTSIDE)
def can_manage_venue(user, venue: VenueLike) -> bool:
    """See a venue, edit its details, rotate or revoke its code: its staff and officials of its area."""
    return _covers_venue(user, venue)


def venues_q(user, venue_field: str = "") -> Q:
    """`can_manage_venue` as a filter: venue rows, or rows pointing at a venue through `venue_field`."""
    return user_jurisdiction(user).venue_q(venue_field)


def staffed_venue_codes(user) -> frozenset[str]:
    """The venues the user works at as venue staff (officials open a venue from its page)."""
    return user_jurisdiction(user).venues


# --- check-ins --------------------------------------------------------------------------------------


@_rule(_VENUE_OUTSIDE)
def can_use_gate(user, venue: VenueLike) -> bool:
    """Check people in and out at a venue (its gate scanner, or an integration recording check-ins):
    its staff and officials of its area."""
    return _covers_venue(user, venue)


@_rule(_VENUE_OUTSIDE)
def can_read_visitors(user, venue: VenueLike) -> bool:
    """Read and export a venue's visitor log: its staff and officials of its area."""
    return _covers_venue(user, venue)


def can_read_phone_numbers(user) -> bool:
    """Visitor logs show whole phone numbers to health officials, who call contacts; venue staff see
    them masked."""
    return is_area_official(user)


# --- audit ------------------------------------------------------------------------------------------


@_rule(_("Only the province office and administrators may read the audit log."))
def can_read_audit(user) -> bool:
    """The province office and administrators review who read what; commune and venue staff do not,
    nor an official of another province (the log names this province's residents)."""
    jurisdiction = user_jurisdiction(user)
    return jurisdiction.everywhere or settings.QRTRACE_PROVINCE in jurisdiction.provinces


# --- retention --------------------------------------------------------------------------------------


@_rule(_("Only the province office and administrators manage legal holds."))
def can_manage_legal_holds(user) -> bool:
    """Place, lift and review legal holds, which keep a case's data past its retention: the province
    office, who answer for the province's records (as for the audit log), and administrators."""
    return can_read_audit(user)


# --- public information (announcements, citizens' feedback) -----------------------------------------


@_rule(_("Only the province office and commune health stations write announcements."))
def can_write_announcements(user) -> bool:
    """Open the announcements pages: officials of a province or commune."""
    return is_area_official(user)


@_rule(_COMMUNE_OUTSIDE)
def can_announce_in(user, commune_codes) -> bool:
    """Write or change an announcement for these communes (none: the whole province): the province
    office for its province or any of its communes; a commune station for its own commune only."""
    jurisdiction = user_jurisdiction(user)
    if not commune_codes:
        return jurisdiction.everywhere or settings.QRTRACE_PROVINCE in jurisdiction.provinces
    return jurisdiction.covers_areas and all(jurisdiction.covers_commune(code) for code in commune_codes)


@_rule(_("Only commune health stations and the province office read citizens' reports."))
def can_read_feedback(user) -> bool:
    """Open the list of citizens' reports: officials of a province or commune (each sees its area's)."""
    return is_area_official(user)


@_rule(_("This report is for another commune."))
def can_handle_feedback(user, commune_code: int | None) -> bool:
    """Read a citizen's report about a place and mark it handled: officials of the place's commune."""
    return _area_official_of(user, commune_code)


def area_q(user, commune_field: str = "commune") -> Q:
    """Rows whose commune (through `commune_field`) an official of an area covers; none for anyone
    else. `can_handle_feedback` as a filter; "" filters commune rows themselves."""
    if not is_area_official(user):
        return Q(pk__in=[])
    jurisdiction = user_jurisdiction(user)
    if jurisdiction.everywhere:
        return Q()
    if not commune_field:
        return Q(code__in=jurisdiction.communes) | Q(province__in=jurisdiction.provinces)
    return jurisdiction.area_q(commune_field)


# --- dashboard --------------------------------------------------------------------------------------


@_rule(_("Only commune and provincial health officials see the epidemic figures."))
def can_view_dashboard(user) -> bool:
    """The map, the figures and the reports: officials of a whole commune or province, each seeing
    the communes of their area."""
    return is_area_official(user)


@_rule(_COMMUNE_OUTSIDE)
def can_view_commune(user, commune_code: int | None) -> bool:
    """One commune's figures and risk-level history: officials of its area."""
    return _area_official_of(user, commune_code)


@_rule(_COMMUNE_OUTSIDE)
def can_override_risk_level(user, commune_code: int) -> bool:
    """Set a commune's risk level by decision (with a reason, until it expires): officials of its area."""
    return _area_official_of(user, commune_code)


@_rule(_("Only the province office declares an area drawn on the map, or imports commune data."))
def can_manage_province_data(user) -> bool:
    """Restricted areas drawn as a polygon, commune population and coverage, boundaries, the kept
    province reports: the province office and administrators."""
    return can_read_audit(user)


# --- quarantine -------------------------------------------------------------------------------------
# Facility staff (role `quarantine`, area = the facility's code) see their facility's people; a commune
# station sees the quarantine of its residents (its worklist holds their home quarantine; a resident's
# stay in a facility it reads too, since it registers them as a case if they test positive); the
# province office sees every order of its residents and in its facilities.


class FacilityLike(Protocol):
    """What a quarantine rule reads of a facility (quarantine.Facility is one)."""

    code: str
    commune_id: int


class OrderLike(Protocol):
    """What a quarantine rule reads of an order (quarantine.QuarantineOrder is one)."""

    kind: str
    commune_id: int | None
    facility: FacilityLike | None


def _province_covers(user, commune_code: int | None) -> bool:
    jurisdiction = user_jurisdiction(user)
    if jurisdiction.everywhere:
        return True
    return commune_code is not None and commune_province_code(commune_code) in jurisdiction.provinces


@_rule(_("Only the province office manages quarantine facilities."))
def can_add_facility(user, commune_code: int) -> bool:
    """Open a quarantine facility: the province office of its commune's province."""
    return _province_covers(user, commune_code)


@_rule(_("This facility is outside your area."))
def can_manage_facility(user, facility: FacilityLike) -> bool:
    """See a facility's board and worklist, place people in its beds: its staff and the province."""
    return facility.code in user_jurisdiction(user).facilities or _province_covers(user, facility.commune_id)


@_rule(_("Only commune and provincial health officials may order quarantine."))
def can_order_quarantine(user) -> bool:
    return is_area_official(user)


@_rule(_("This quarantine order is outside your area."))
def can_read_order(user, order: OrderLike) -> bool:
    """An order is read and worked on by its facility's staff, the commune station of the person, and
    the province office (of the person's commune or of the facility's)."""
    jurisdiction = user_jurisdiction(user)
    facility = order.facility
    if facility is not None and facility.code in jurisdiction.facilities:
        return True
    if order.commune_id is not None and order.commune_id in jurisdiction.communes:
        return True
    return _province_covers(user, order.commune_id) or (
        facility is not None and _province_covers(user, facility.commune_id)
    )


def orders_q(user) -> Q:
    """`can_read_order` as a filter on quarantine orders."""
    jurisdiction = user_jurisdiction(user)
    if jurisdiction.everywhere:
        return Q()
    return (
        Q(facility__code__in=jurisdiction.facilities)
        | Q(commune__in=jurisdiction.communes)
        | Q(commune__province__in=jurisdiction.provinces)
        | Q(facility__commune__province__in=jurisdiction.provinces)
    )


def facilities_q(user) -> Q:
    """`can_manage_facility` as a filter on facilities."""
    jurisdiction = user_jurisdiction(user)
    if jurisdiction.everywhere:
        return Q()
    return Q(code__in=jurisdiction.facilities) | Q(commune__province__in=jurisdiction.provinces)


@_rule(_("Only quarantine staff and health officials may see quarantine work."))
def is_quarantine_official(user) -> bool:
    """Anyone with quarantine work: facility staff and the officials of an area."""
    jurisdiction = user_jurisdiction(user)
    return bool(jurisdiction.facilities) or jurisdiction.covers_areas


@_rule(_("Only the province office and administrators change quarantine policies."))
def can_manage_quarantine_policy(user) -> bool:
    """Draft, preview and apply a quarantine policy: the province office answers for the province's
    rules (as for the audit log), and administrators."""
    return can_read_audit(user)


def staffed_facility_codes(user) -> frozenset[str]:
    """The quarantine facilities the user works at as facility staff."""
    return user_jurisdiction(user).facilities


def station_communes(user) -> frozenset[int]:
    """The communes whose station the user is (their home-quarantine worklists)."""
    return user_jurisdiction(user).communes


@_rule(_COMMUNE_OUTSIDE)
def can_follow_home_quarantine(user, commune_code: int) -> bool:
    """A commune's home-quarantine worklist: its station and the officials above it."""
    return _area_official_of(user, commune_code)
