from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from qrtrace.geo.schemas import ProvinceCommune
from qrtrace.lib.errors import ERRORS, DbInt
from qrtrace.lib.pagination import Pagination
from qrtrace.lib.schemas import PHONE_PATTERN, BodyIn, Latitude, LocalTime, LocalTimeOut, Longitude

from . import selectors, services
from .models import Venue, VenueKind, VenueStatus
from .qr import venue_checkin_url
from .views import poster_response

router = Router(tags=["venues"])

# Empty, or a phone number as the API takes them.
ContactPhone = Field("", max_length=40, pattern=f"^$|{PHONE_PATTERN}")
StayMinutes = Field(None, ge=5, le=24 * 60)


class VenueIn(BodyIn):
    name: str = Field(min_length=2, max_length=200)
    kind: VenueKind
    commune_code: ProvinceCommune
    address: str = Field(min_length=2, max_length=300)
    contact_phone: str = ContactPhone
    lat: Latitude | None = None
    lng: Longitude | None = None
    default_stay_minutes: int | None = StayMinutes
    opens_at: LocalTime | None = None
    closes_at: LocalTime | None = None
    always_open: bool = False


class VenuePatch(BodyIn):
    name: str | None = Field(None, min_length=2, max_length=200)
    kind: VenueKind | None = None
    address: str | None = Field(None, min_length=2, max_length=300)
    contact_phone: str | None = Field(None, max_length=40, pattern=f"^$|{PHONE_PATTERN}")
    lat: Latitude | None = None
    lng: Longitude | None = None
    default_stay_minutes: int | None = StayMinutes
    opens_at: LocalTime | None = Field(None, description="Local time; null clears the hours.")
    closes_at: LocalTime | None = Field(None, description="Local time; before `opens_at` runs past midnight.")
    always_open: bool | None = None


class ReasonIn(BodyIn):
    reason: str = Field(min_length=3, max_length=300)


class VenueOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    address: str
    commune_code: int = Field(alias="commune_id")
    status: str
    status_note: str
    default_stay_minutes: int
    opens_at: LocalTimeOut | None
    closes_at: LocalTimeOut | None
    always_open: bool
    lat: Decimal | None
    lng: Decimal | None
    qr_version: int
    created_at: datetime
    checkin_url: str | None
    poster_url: str

    @staticmethod
    def resolve_checkin_url(venue: Venue) -> str | None:
        return venue_checkin_url(venue) if venue.status == VenueStatus.ACTIVE else None

    @staticmethod
    def resolve_poster_url(venue: Venue) -> str:
        return reverse("api:venue_poster", args=[venue.pk])


@router.post("/venues", response={201: VenueOut, **ERRORS})
def venue_create(request, payload: VenueIn):
    """Created by a province or commune official of its commune, a venue is active at once."""
    return Status(201, services.venue_create(actor=request.user, **payload.dict()))


@router.get("/venues", response={200: list[VenueOut], **ERRORS})
@paginate(Pagination)
def venue_list(
    request, commune: DbInt | None = None, status: VenueStatus | None = None, kind: VenueKind | None = None
):
    return selectors.venue_list(user=request.user, commune_code=commune, status=status, kind=kind)


@router.get("/venues/{venue_id}", response={200: VenueOut, **ERRORS})
def venue_detail(request, venue_id: DbInt):
    return selectors.venue_get(user=request.user, venue_id=venue_id)


@router.patch("/venues/{venue_id}", response={200: VenueOut, **ERRORS})
def venue_update(request, venue_id: DbInt, payload: VenuePatch):
    venue = selectors.venue_get(user=request.user, venue_id=venue_id)
    return services.venue_update(actor=request.user, venue=venue, **payload.dict(exclude_unset=True))


@router.post("/venues/{venue_id}/approve", response={200: VenueOut, **ERRORS})
def venue_approve(request, venue_id: DbInt):
    venue = selectors.venue_get(user=request.user, venue_id=venue_id)
    return services.venue_approve(actor=request.user, venue=venue)


@router.post("/venues/{venue_id}/reject", response={200: VenueOut, **ERRORS})
def venue_reject(request, venue_id: DbInt, payload: ReasonIn):
    venue = selectors.venue_get(user=request.user, venue_id=venue_id)
    return services.venue_reject(actor=request.user, venue=venue, reason=payload.reason)


@router.post("/venues/{venue_id}/suspend", response={200: VenueOut, **ERRORS})
def venue_suspend(request, venue_id: DbInt, payload: ReasonIn):
    venue = selectors.venue_get(user=request.user, venue_id=venue_id)
    return services.venue_suspend(actor=request.user, venue=venue, reason=payload.reason)


@router.post("/venues/{venue_id}/rotate-qr", response={200: VenueOut, **ERRORS})
def venue_qr_rotate(request, venue_id: DbInt):
    venue = selectors.venue_get(user=request.user, venue_id=venue_id)
    return services.venue_qr_rotate(actor=request.user, venue=venue)


@router.post("/venues/{venue_id}/revoke-qr", response={200: VenueOut, **ERRORS})
def venue_qr_revoke(request, venue_id: DbInt):
    venue = selectors.venue_get(user=request.user, venue_id=venue_id)
    return services.venue_qr_revoke(actor=request.user, venue=venue)


@router.get("/venues/{venue_id}/poster.pdf", url_name="venue_poster", response={200: None, **ERRORS})
def venue_poster(request, venue_id: DbInt) -> HttpResponse:
    return poster_response(selectors.venue_get(user=request.user, venue_id=venue_id), kind="pdf")
