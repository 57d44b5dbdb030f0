from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import pydantic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.models import Body, BodyModel
from pydantic import model_validator

from qrtrace.geo.schemas import ProvinceCommune
from qrtrace.lib.errors import ERRORS, AwareTime, DbInt
from qrtrace.lib.pagination import WINDOW, Pagination
from qrtrace.lib.schemas import BirthYearIn, BodyIn, CitizenIdIn, PhoneIn
from qrtrace.people.identity import Identity, identity_parse

from .models import CheckOutMethod
from .selectors import checkin_for_official
from .services.batch import MAX_ITEMS, LeaveItem, Refused, VisitItem, checkins_batch_record
from .services.visitor_log import visitor_log_page
from .services.visits import checkin_checkout, checkin_record

router = Router(tags=["checkins"])


class PersonIn(BodyIn):
    phone: PhoneIn
    full_name: str = Field(min_length=1, max_length=120)
    citizen_id: CitizenIdIn | None = None
    birth_year: BirthYearIn | None = None
    commune_code: ProvinceCommune | None = Field(
        None,
        description=(
            "Where the person says they live (a commune code, `/api/v1/geo/…`), so their commune's "
            "health station sees them. Kept with the check-in; it sets the residence of a person "
            "not known yet, and never changes that of a person already known."
        ),
    )


class DeclarationIn(BodyIn):
    fever: bool = False
    cough: bool = False
    breathless: bool = False
    sore_throat: bool = False
    lost_taste_smell: bool = False
    contact_with_case: bool = False
    travel_from_restricted: bool = False


class CheckInIn(BodyIn):
    venue_code: str = Field(min_length=1, max_length=12)
    person: PersonIn
    entered_at: AwareTime | None = None
    left_at: AwareTime | None = None
    declaration: DeclarationIn | None = None


class CheckInCreated(Schema):
    id: int
    person_id: int


class CheckOutIn(BodyIn):
    left_at: AwareTime | None = None


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


class BatchCheckInIn(BodyIn):
    kind: Literal["checkin"] = "checkin"
    client_id: UUID = Field(description="The id the device gave this visit; a resend is recognised by it.")
    venue_code: str = Field(min_length=1, max_length=12)
    person: PersonIn | None = Field(None, description="Who, as declared at the gate (or `personal_code`).")
    personal_code: str | None = Field(
        None,
        max_length=40,
        description="A personal QR card scanned at the gate (`P:…`), checked here: a forged or revoked one "
        "refuses the item.",
    )
    entered_at: AwareTime = Field(description="When the device recorded the visit (its clock).")
    left_at: AwareTime | None = None
    declaration: DeclarationIn | None = None

    @model_validator(mode="after")
    def _one_person(self):
        if (self.person is None) == (self.personal_code is None):
            raise ValueError(_("Give either person or personal_code."))
        return self


class BatchCheckOutIn(BodyIn):
    kind: Literal["checkout"]
    client_id: UUID = Field(description="The client id of the check-in being closed.")
    left_at: AwareTime


class BatchIn(BodyIn):
    items: list[dict[str, Any]] = Field(
        max_length=MAX_ITEMS,
        description=(
            "Up to 500 items, oldest first, each a check-in (the body of POST /checkins with `client_id`, "
            '`kind` "checkin" or left out) or a check-out (`kind` "checkout", the check-in\'s `client_id`, '
            "`left_at`). An item that cannot be read is refused on its own; the others are recorded."
        ),
    )


class BatchItemOut(Schema):
    index: int
    client_id: UUID | None
    status: Literal["recorded", "duplicate", "refused"]
    id: int | None = Field(None, description="The check-in (recorded or found).")
    reason: Any = Field(None, description="Why the item was refused: a message or {field: [messages]}.")


class BatchOut(Schema):
    recorded: int
    duplicates: int
    refused: int
    items: list[BatchItemOut]


_BATCH_KINDS: dict[str, type[BodyIn]] = {"checkin": BatchCheckInIn, "checkout": BatchCheckOutIn}


def _batch_item(raw: dict[str, Any]) -> VisitItem | LeaveItem | Refused:
    """One item as the service takes it; one the schema refuses becomes `Refused` with the reason."""
    try:
        client_id = UUID(str(raw.get("client_id")))
    except ValueError:
        client_id = None
    schema = _BATCH_KINDS.get(raw.get("kind", "checkin"))
    if schema is None:
        return Refused(client_id, {"kind": ['"checkin" or "checkout".']})
    try:
        item = schema.model_validate(raw)
    except pydantic.ValidationError as error:
        return Refused(client_id, [{"loc": e["loc"], "msg": e["msg"]} for e in error.errors()])
    if isinstance(item, BatchCheckOutIn):
        return LeaveItem(client_id=item.client_id, left_at=item.left_at)
    try:
        identity = _identity(item.person) if item.person is not None else None
    except ValidationError as error:
        return Refused(client_id, error.message_dict)
    return VisitItem(
        client_id=item.client_id,
        venue_code=item.venue_code,
        identity=identity,
        personal_code=item.personal_code,
        declaration=item.declaration.dict() if item.declaration else None,
        entered_at=item.entered_at,
        left_at=item.left_at,
    )


def _identity(person: PersonIn) -> Identity:
    return identity_parse(
        full_name=person.full_name,
        phone=person.phone,
        citizen_id=person.citizen_id,
        birth_year=person.birth_year,
        commune_id=person.commune_code,
        prefix="person.",
    )


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
        entered_at=payload.entered_at,
        left_at=payload.left_at,
        request=request,
    )
    return Status(201 if created else 200, {"id": checkin.pk, "person_id": checkin.person_id})


@router.post("/checkins/batch", response={200: BatchOut, **ERRORS})
def checkins_batch_post(request, payload: BatchIn):
    """Record a gate device's queue: up to 500 check-ins and check-outs in one transaction.

    Each item is answered on its own (recorded, duplicate or refused with the reason), so one bad item
    never loses the others; sending the same batch again records nothing twice.
    """
    result = checkins_batch_record(
        user=request.user, items=[_batch_item(raw) for raw in payload.items], request=request
    )
    return {
        "recorded": result.count("recorded"),
        "duplicates": result.count("duplicate"),
        "refused": result.count("refused"),
        "items": result.items,
    }


@router.post("/checkins/{checkin_id}/checkout", response={200: CheckInOut, **ERRORS})
def checkin_checkout_post(
    request, checkin_id: DbInt, payload: Annotated[CheckOutIn | None, OptionalBody(None)] = None
):
    """Record leaving (now, or at `left_at`). Checking out twice keeps the first time."""
    checkin = checkin_for_official(user=request.user, checkin_id=checkin_id)
    return checkin_checkout(
        checkin=checkin,
        method=CheckOutMethod.API,
        at=payload.left_at if payload else None,
        staff=request.user,
        request=request,
    )


@router.get("/venues/{venue_id}/checkins", response={200: list[CheckInOut], **ERRORS})
@paginate(Pagination, pass_parameter=WINDOW)
def venue_checkins(request, venue_id: DbInt, **kwargs):
    """Check-ins of a venue in your area, newest first (every page read is audit-logged)."""
    window = kwargs[WINDOW]
    return visitor_log_page(
        user=request.user, venue_id=venue_id, limit=window.limit, offset=window.offset, request=request
    )
