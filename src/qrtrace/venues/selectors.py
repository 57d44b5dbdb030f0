import time

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import communes_q, venues_q
from qrtrace.audit.services import audit_event_create
from qrtrace.geo.models import Commune
from qrtrace.lib.display import phone_text
from qrtrace.lib.rows import row_get
from qrtrace.lib.search import Search

from .models import PosterBatch, Venue, VenueStatus


def venue_list(
    *,
    user: User,
    commune_code: int | None = None,
    status: str | None = None,
    kind: str | None = None,
    search: Search | None = None,
) -> QuerySet[Venue]:
    """The venues the user may see (their area, or the venues they manage), newest first; `search`
    matches the name or address (any part), the code, or the contact phone."""
    venues = Venue.objects.filter(venues_q(user)).select_related("commune")
    if search:
        q = Q(name__icontains=search.text) | Q(address__icontains=search.text) | Q(code=search.text.upper())
        if search.phone:
            q |= Q(contact_phone=search.phone)
        venues = venues.filter(q)
    if commune_code is not None:
        venues = venues.filter(commune_id=commune_code)
    if status:
        venues = venues.filter(status=status)
    if kind:
        venues = venues.filter(kind=kind)
    return venues.order_by("-created_at", "-pk")


def venue_get(*, user: User, venue_id: int) -> Venue:
    """A venue the user may see; one outside their area is reported as not found, like a missing one."""
    venue = venue_list(user=user).filter(pk=venue_id).first()
    if venue is None:
        raise Http404(_("No such venue in your area."))
    return venue


def active_venues_of_commune(commune_code: int) -> QuerySet[Venue]:
    """In the order officials walk a commune: by address, then name."""
    return (
        Venue.objects.filter(commune_id=commune_code, status=VenueStatus.ACTIVE)
        .select_related("commune")
        .order_by("address", "name", "pk")
    )


def province_communes(province_code: int) -> QuerySet[Commune]:
    return Commune.objects.filter(province_id=province_code).order_by("name")


def official_communes(user: User) -> QuerySet[Commune]:
    """The communes of this province an official covers (a commune station: its own)."""
    return province_communes(settings.QRTRACE_PROVINCE).filter(communes_q(user))


def venue_contact_read(*, user: User, venue: Venue, request=None) -> str:
    """The registrant's contact phone, for the officials and staff who may see the venue; the read is
    audit-logged (a phone number is personal data)."""
    if not venue.contact_phone:
        return ""
    audit_event_create(
        actor=user,
        action="read",
        object_type="venue",
        object_id=venue.code,
        purpose="venue registrant's contact",
        request=request,
    )
    return phone_text(venue.contact_phone)


def poster_batch_list(*, user: User) -> QuerySet[PosterBatch]:
    return (
        PosterBatch.objects.filter(requested_by=user).select_related("commune").order_by("-created_at")[:20]
    )


def poster_batch_get(*, user: User, batch_id: int) -> PosterBatch:
    batch = PosterBatch.objects.filter(pk=batch_id, requested_by=user).first()
    if batch is None:
        raise Http404(_("No such poster batch."))
    return batch


def venue_staff_list(*, venue: Venue) -> list[User]:
    """The people who run the venue (its owner and gate staff), by username."""
    return list(venue.managers.order_by("username"))


# Venues by code, kept per process for a few seconds: every scan of a poster, every check-in sent
# through the API and every item of a gate device's batch names its venue by code, and reading the
# row each time was one statement (a round trip to PostgreSQL) of the few each of them costs.
# Saving or deleting a venue through the ORM (every service does) clears this process's copies at
# once; other processes see the change within VENUE_CACHE_SECONDS, so a poster revoked or a venue
# suspended stops working everywhere within that time. The copies are shared: never change one.
VENUE_CACHE_SECONDS = 5
_KEPT_AT_MOST = 20_000  # venues (a province has a few thousand): past it the copies are dropped
_venues_by_code: dict[str, tuple[float, Venue]] = {}


def venue_by_code(code: str) -> Venue | None:
    """The venue with this code (any case, surrounding spaces ignored), or None."""
    code = code.strip().upper()
    venue = _kept(code)
    if venue is None and (venue := row_get(Venue, "code", code)) is not None:
        _keep(venue)
    return venue


def venues_by_code(codes: set[str]) -> dict[str, Venue | None]:
    """`venue_by_code` of many codes (a gate device's batch), those not kept read in one statement; by
    code as written (stripped, upper case)."""
    found = {code: _kept(code) for code in {code.strip().upper() for code in codes}}
    missing = [code for code, venue in found.items() if venue is None]
    for venue in Venue.objects.filter(code__in=missing) if missing else ():
        found[venue.code] = _keep(venue)
    return found


def _kept(code: str) -> Venue | None:
    cached = _venues_by_code.get(code)
    return cached[1] if cached is not None and cached[0] > time.monotonic() else None


def _keep(venue: Venue) -> Venue:
    if len(_venues_by_code) >= _KEPT_AT_MOST:
        _venues_by_code.clear()
    _venues_by_code[venue.code] = (time.monotonic() + VENUE_CACHE_SECONDS, venue)
    return venue


@receiver(post_save, sender=Venue)
@receiver(post_delete, sender=Venue)
def _forget_kept_venues(**kwargs) -> None:
    _venues_by_code.clear()
