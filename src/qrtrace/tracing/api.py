from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qrtrace.geo.schemas import ProvinceCommune
from qrtrace.lib.errors import ERRORS, AwareTime, DbInt
from qrtrace.lib.pagination import WINDOW, Pagination
from qrtrace.lib.schemas import BodyIn, PhoneIn

from .models import Case, Exposure, Level, TestType
from .notify import message_body, notifications_pending
from .selectors import case_for_official, case_in_area, case_timeline, exposure_page
from .services import case_notifications_confirm, case_register, case_trace

router = Router(tags=["tracing"])


class CaseIn(BodyIn):
    phone: PhoneIn
    full_name: str = Field("", max_length=120)
    confirmed_at: AwareTime
    symptom_onset: AwareTime | None = None
    isolated_at: AwareTime | None = None
    test_type: TestType = TestType.PCR
    treated_at_place: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    commune_code: ProvinceCommune | None = Field(None, description="Where a person not yet known lives.")


class CaseCreated(Schema):
    id: int
    person_id: int


class CaseOut(Schema):
    id: int
    person_id: int
    full_name: str
    phone: str | None
    commune_code: int | None
    status: str
    confirmed_at: datetime
    symptom_onset: datetime | None
    isolated_at: datetime | None
    test_type: str
    treated_at_place: str
    notes: str
    traced_at: datetime | None
    rule_version: str


class TraceOut(Schema):
    f1_count: int
    f2_count: int
    rule_version: str


class PersonOut(Schema):
    phone: str | None
    full_name: str


class ExposureOut(Schema):
    person: PersonOut
    level: str
    venue_code: str | None
    overlap_start: datetime | None
    overlap_end: datetime | None
    overlap_minutes: int
    source: str = Field(description='"case" for F1 through the case, else "person:<id>" of the F1.')
    status: str

    @staticmethod
    def resolve_venue_code(exposure: Exposure) -> str | None:
        return exposure.venue.code if exposure.venue else None

    @staticmethod
    def resolve_source(exposure: Exposure) -> str:
        if exposure.source_person_id == exposure.case.person_id:
            return "case"
        return f"person:{exposure.source_person_id}"


class ExposureFilter(Schema):
    level: Literal["F1", "F2"] | None = None


class TimelineItemOut(Schema):
    place: str
    address: str
    venue_code: str
    started_at: datetime
    ended_at: datetime | None
    from_checkin: bool
    end_estimated: bool


class TimelineOut(Schema):
    window_start: datetime
    window_end: datetime
    isolated: bool
    items: list[TimelineItemOut]


def _case_out(case: Case) -> dict:
    person = case.person
    return {
        **{name: getattr(case, name) for name in CaseOut.model_fields if hasattr(case, name)},
        "full_name": person.full_name,
        "phone": person.phone,
        "commune_code": person.commune_id,
    }


@router.post("/cases", response={201: CaseCreated, **ERRORS})
def case_create(request, payload: CaseIn):
    """Register a confirmed case (F0) by phone; an unknown person is created. Tracing is queued."""
    case = case_register(actor=request.user, request=request, **payload.dict())
    return Status(201, {"id": case.pk, "person_id": case.person_id})


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def case_detail(request, case_id: DbInt):
    return _case_out(case_for_official(user=request.user, case_id=case_id, request=request))


@router.post("/cases/{case_id}/trace", response={200: TraceOut, **ERRORS})
def case_trace_now(request, case_id: DbInt):
    """Compute F1 and F2 now (synchronously) and return how many were found."""
    case = case_in_area(user=request.user, case_id=case_id)
    return case_trace(case=case, actor=request.user, request=request)


class PendingOut(Schema):
    f1: int = Field(description="F1 not yet messaged about this case")
    f2: int = Field(description="F2 not yet messaged about this case")
    f1_text: str
    f2_text: str


class ReviewedIn(BodyIn):
    f1: int = Field(ge=0, le=1_000_000, description="The F1 count of the review (GET …/notifications)")
    f2: int = Field(ge=0, le=1_000_000, description="The F2 count of the review")


class QueuedOut(Schema):
    f1: int
    f2: int


@router.get("/cases/{case_id}/notifications", response={200: PendingOut, **ERRORS})
def case_notifications_review(request, case_id: DbInt):
    """Who would get the exposure SMS, per level, and the text each level gets. Nobody is messaged
    until the review is sent back (POST)."""
    case = case_in_area(user=request.user, case_id=case_id)
    pending = notifications_pending(case=case)
    return {
        "f1": len(pending[Level.F1]),
        "f2": len(pending[Level.F2]),
        "f1_text": message_body(Level.F1),
        "f2_text": message_body(Level.F2),
    }


@router.post("/cases/{case_id}/notifications", response={200: QueuedOut, **ERRORS})
def case_notifications_send(request, case_id: DbInt, payload: ReviewedIn):
    """Send the reviewed SMS, F1 first; 409 when the counts changed since the review."""
    case = case_in_area(user=request.user, case_id=case_id)
    queued = case_notifications_confirm(
        case=case, actor=request.user, expected={Level.F1: payload.f1, Level.F2: payload.f2}, request=request
    )
    return {"f1": queued[Level.F1], "f2": queued[Level.F2]}


@router.get("/cases/{case_id}/exposures", response={200: list[ExposureOut], **ERRORS})
@paginate(Pagination, pass_parameter=WINDOW)
def case_exposures(request, case_id: DbInt, filters: Query[ExposureFilter], **kwargs):
    """The case's F1 and F2 in your area, by level then time (every page read is audit-logged)."""
    window = kwargs[WINDOW]
    return exposure_page(
        user=request.user,
        case_id=case_id,
        level=filters.level or "",
        limit=window.limit,
        offset=window.offset,
        request=request,
    )


@router.get("/cases/{case_id}/timeline", response={200: TimelineOut, **ERRORS})
def case_timeline_read(request, case_id: DbInt):
    """Mốc dịch tễ: the case's visits in the infectious window and the places added by hand."""
    case = case_in_area(user=request.user, case_id=case_id)
    return case_timeline(user=request.user, case=case, request=request)
