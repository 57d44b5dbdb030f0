from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params.models import Body, BodyModel

from qrtrace.lib.errors import DbInt, error_responses
from qrtrace.lib.identity import InvalidIdentity, normalize_citizen_id, normalize_phone, parse_birth_year
from qrtrace.venues.selectors import venue_get

from .models import CheckOutMethod
from .selectors import checkin_for_official, venue_checkin_page
from .services import Identity, checkin_checkout, checkin_record, visitor_log_read

router = Router(tags=["checkins"])
# Besides success, any operation here may answer these (qrtrace.api.api maps each error to its code).
ERRORS = error_responses(400, 401, 403, 404, 409, 422)
MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000


class PersonIn(Schema):
    phone: str
    full_name: str = Field(min_length=1, max_length=120)
    citizen_id: str | None = None
    birth_year: int | None = None


class DeclarationIn(Schema):
    fever: bool = False
    cough: bool = False
    breathless: bool = False
    sore_throat: bool = False
    lost_taste_smell: bool = False
    contact_with_case: bool = False
    travel_from_restricted: bool = False


class CheckInIn(Schema):
    venue_code: str = Field(min_length=1, max_length=12)
    person: PersonIn
    entered_at: datetime | None = None
    left_at: datetime | None = None
    declaration: DeclarationIn | None = None


class CheckInCreated(Schema):
    id: int
    person_id: int


class CheckOutIn(Schema):
    left_at: datetime | None = None


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class _EmptyFormIsNoBody(BodyModel):
    @classmethod
    def get_request_data(cls, request, api, path_params):
        # A client that sends nothing may still send an empty form (Django's test client does):
        # that is no body, not unparseable JSON. The raw body is read first because Django refuses
        # it once the form parser has consumed the stream.
        if request.body and request.content_type in _FORM_TYPES and not (request.POST or request.FILES):
            return None
        return super().get_request_data(request, api, path_params)


class OptionalBody(Body):
    """A JSON body the client may leave out, whatever content type its empty request claims."""

    _model = _EmptyFormIsNoBody

    @classmethod
    def _param_source(cls) -> str:
        return "body"  # ninja names a parameter's source after its class


class CheckInOut(Schema):
    id: int
    venue_id: int
    person_id: int
    full_name: str = Field(alias="person.full_name")
    entered_at: datetime
    left_at: datetime | None
    method: str
    checkout_method: str
    risk: str
    review_reason: str = Field(
        description="Comma-separated flags for review (checkins.flags); empty if none."
    )


class CheckInPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CheckInOut]


def _identity(person: PersonIn) -> Identity:
    errors = {}
    values = {}
    for field, normalise, raw in (
        ("phone", normalize_phone, person.phone),
        ("citizen_id", normalize_citizen_id, person.citizen_id),
        ("birth_year", parse_birth_year, person.birth_year),
    ):
        try:
            values[field] = normalise(raw) if raw is not None else None
        except InvalidIdentity as exc:
            errors[f"person.{field}"] = [str(exc.message)]
    if errors:
        raise ValidationError(errors)
    return Identity(full_name=" ".join(person.full_name.split()), **values)


def _aware(value: datetime | None, field: str) -> datetime | None:
    # A time without an offset is ambiguous for a device that may sit in any time zone.
    if value is not None and value.utcoffset() is None:
        raise ValidationError(
            {field: _("Give the time in ISO 8601 with its offset, e.g. 2026-11-25T08:30:00+07:00.")}
        )
    return value


@router.post("/checkins", response={201: CheckInCreated, 200: CheckInCreated, **ERRORS})
def checkin_post(request, payload: CheckInIn):
    """Record a check-in (officials, integrations, offline gate devices syncing later).

    Sending the same visit again answers 200 with the check-in already recorded.
    """
    checkin, created = checkin_record(
        user=request.user,
        venue_code=payload.venue_code,
        identity=_identity(payload.person),
        declaration=payload.declaration.dict() if payload.declaration else None,
        entered_at=_aware(payload.entered_at, "entered_at"),
        left_at=_aware(payload.left_at, "left_at"),
        request=request,
    )
    return Status(201 if created else 200, {"id": checkin.pk, "person_id": checkin.person_id})


@router.post("/checkins/{checkin_id}/checkout", response={200: CheckInOut, **ERRORS})
def checkin_checkout_post(
    request, checkin_id: DbInt, payload: Annotated[CheckOutIn | None, OptionalBody(None)] = None
):
    """Record leaving (now, or at `left_at`). Checking out twice keeps the first time."""
    checkin = checkin_for_official(user=request.user, checkin_id=checkin_id)
    left_at = _aware(payload.left_at, "left_at") if payload else None
    return checkin_checkout(
        checkin=checkin, method=CheckOutMethod.API, at=left_at, staff=request.user, request=request
    )


@router.get("/venues/{venue_id}/checkins", response={200: CheckInPage, **ERRORS})
def venue_checkins(request, venue_id: DbInt, page: int = 1, page_size: int = 100):
    """Check-ins of a venue in your area, newest first (every page read is audit-logged)."""
    # Bounded above too: a page past 64 bits of offset is a database error, not an empty page.
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(
            _("page must be between 1 and %(pages)d and page_size between 1 and %(max)d.")
            % {"pages": MAX_PAGE, "max": MAX_PAGE_SIZE}
        )
    venue = venue_get(user=request.user, venue_id=venue_id)
    count, items = venue_checkin_page(venue=venue, page=page, page_size=page_size)
    visitor_log_read(
        user=request.user,
        venue=venue,
        checkins=items,
        action="read",
        request=request,
        filters={"page": page, "page_size": page_size},
    )
    return {"count": count, "page": page, "page_size": page_size, "items": items}
