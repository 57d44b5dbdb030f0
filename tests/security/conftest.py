"""One data set for the whole authorisation suite, built once per module and rolled back after it.

Each test then runs in its own savepoint (pytest-django's `db`), so an action one actor performs
(a rotated QR, a suspended venue) never changes what the next actor finds.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from qrtrace.accounts.models import User
from qrtrace.accounts.services import api_token_create, official_upsert
from qrtrace.checkins.models import CheckIn, DeviceTrust
from qrtrace.checkins.services.devices import device_register
from qrtrace.checkins.views import receipt
from qrtrace.dashboard.models import DailyReport, RestrictedArea
from qrtrace.geo.models import Commune
from qrtrace.people.models import Person
from qrtrace.privacy.models import LegalHold
from qrtrace.public.models import Announcement, Feedback, Priority
from qrtrace.public.services import optout_token
from qrtrace.quarantine.links import certificate_signature, report_signature
from qrtrace.quarantine.models import Facility, QuarantineOrder, QuarantinePolicy
from qrtrace.quarantine.services import beds_add, order_create, order_release, result_record
from qrtrace.tracing.models import Case, Exposure, Level, VenueAlert
from qrtrace.venues.models import PosterBatch, Venue
from qrtrace.venues.qr import venue_token
from tests import actors
from tests.quarantine.policies import ensure_ministry_policies


@dataclass
class World:
    commune_a: int
    now: str
    venue: Venue
    pending: Venue
    token: str
    ref: str
    device: str
    checkin: CheckIn
    batch: PosterBatch
    case: Case
    exposure: Exposure
    alert: VenueAlert
    hold: LegalHold
    hold_until: str
    report: DailyReport
    soon: str
    soon_day: str
    users: dict[str, User]
    tokens: dict[str, str]
    announcement: Announcement
    feedback: Feedback
    optout: str
    facility: Facility
    order: QuarantineOrder
    home_order: QuarantineOrder
    done_order: QuarantineOrder
    q_person: Person
    draft_policy: QuarantinePolicy
    report_sig: str
    certificate_sig: str
    today: str
    later: str
    area: RestrictedArea


def _build() -> World:
    venue = actors.make_venue("Chợ Vườn Hoa", actors.COMMUNE_A)
    other_venue = actors.make_venue("Siêu thị Quảng Phú", actors.COMMUNE_B)
    pending = actors.make_venue("Quán Mới", actors.COMMUNE_A, status="pending")
    other_province = Commune.objects.get(code=actors.OTHER_PROVINCE_COMMUNE).province_id
    facility = Facility.objects.create(
        code="KCL-A",
        name="Ký túc xá",
        commune_id=actors.COMMUNE_A,
        address="1 Quang Trung",
        managing_unit="BQL",
    )
    users = {
        "staff": actors.make_official("staff_a", "venue", venue.code),
        "staff_other": actors.make_official("staff_b", "venue", other_venue.code),
        "facility": actors.make_official("kcl_a", "quarantine", facility.code),
        "commune": actors.make_official("tram_a", "commune", actors.COMMUNE_A),
        "commune_out": actors.make_official("tram_b", "commune", actors.COMMUNE_B),
        "province": actors.make_official("cdc", "province", actors.PROVINCE),
        "province_out": actors.make_official("cdc_na", "province", other_province),
        "admin": actors.make_admin(),
    }
    # The staff of venue A also run the pending venue, so "own" means theirs on the rows naming it.
    official_upsert(username="staff_a", role="venue", area_code=pending.code)
    citizen = actors.make_person("Nguyễn Văn A", "+84912345678", commune_id=actors.COMMUNE_A)
    contact = actors.make_person("Trần Thị B", "+84912345679", commune_id=actors.COMMUNE_A)
    now = timezone.now()
    checkin = CheckIn.objects.create(
        venue=venue, person=citizen, entered_at=now - timedelta(hours=1), method="self_scan"
    )
    case = Case.objects.create(person=citizen, confirmed_at=now - timedelta(hours=2))
    until = timezone.localdate() + timedelta(days=30)
    report = DailyReport.objects.create(day=timezone.localdate(), built_at=now)
    for kind in ("pdf", "xlsx"):
        report.path(kind).parent.mkdir(parents=True, exist_ok=True)
        report.path(kind).write_bytes(b"%PDF-1.4 matrix")
    quarantine = _quarantine(users, facility)
    return World(
        commune_a=actors.COMMUNE_A,
        now=now.isoformat(),
        venue=venue,
        pending=pending,
        token=venue_token(venue),
        ref=receipt([checkin]),
        device=device_register(person=citizen, trust=DeviceTrust.CREATED),
        checkin=checkin,
        batch=PosterBatch.objects.create(commune_id=actors.COMMUNE_A, requested_by=users["commune"]),
        case=case,
        exposure=Exposure.objects.create(case=case, person=contact, level=Level.F1, source_person=citizen),
        alert=VenueAlert.objects.create(
            case=case, venue=venue, starts_at=now - timedelta(hours=1), ends_at=now
        ),
        hold=LegalHold.objects.create(case=case, reason="Thanh tra Sở Y tế", until=until),
        hold_until=until.isoformat(),
        report=report,
        soon=(now + timedelta(days=7)).isoformat(),
        soon_day=(timezone.localdate() + timedelta(days=7)).isoformat(),
        users=users,
        tokens={name: api_token_create(user=user) for name, user in users.items()},
        announcement=_announcement(users["province"]),
        feedback=Feedback.objects.create(
            kind="no_poster", commune_id=actors.COMMUNE_A, place="Chợ", text="…"
        ),
        optout=optout_token(citizen.phone_hash),
        facility=facility,
        area=_area(users["commune"]),
        **quarantine,
    )


def _area(author: User) -> RestrictedArea:
    """A lockdown of commune A, in force from today (its station and the province office may change it)."""
    area = RestrictedArea.objects.create(
        name="Thôn 3", reason="Ổ dịch tại chợ", starts_on=timezone.localdate(), created_by=author
    )
    area.communes.set([actors.COMMUNE_A])
    return area


def _announcement(author: User) -> Announcement:
    """An urgent announcement for commune A (its station and the province office may edit it)."""
    announcement = Announcement.objects.create(
        title="Phong toả", body="…", priority=Priority.URGENT, publish_at=timezone.now(), created_by=author
    )
    announcement.communes.set([actors.COMMUNE_A])
    return announcement


def _quarantine(users: dict[str, User], facility: Facility) -> dict:
    """Facility A with a free bed and a placed order; a home order and a completed one in commune A."""
    admin, station = users["admin"], users["commune"]
    ensure_ministry_policies()
    beds_add(actor=admin, facility=facility, room_label="P1", beds=3)
    in_facility = actors.make_person("Hoàng Văn E", "+84912345680", commune_id=actors.COMMUNE_A)
    at_home = actors.make_person("Đỗ Thị G", "+84912345681", commune_id=actors.COMMUNE_A)
    released = actors.make_person("Vũ Văn H", "+84912345682", commune_id=actors.COMMUNE_A)
    today = timezone.localdate()
    order = order_create(
        actor=station, person=in_facility, reason="f1", vaccination="none", kind="facility", facility=facility
    )
    home_order = order_create(
        actor=station, person=at_home, reason="f1", vaccination="full", kind="home", address="2 Lê Lai"
    )
    done = order_create(
        actor=station,
        person=released,
        reason="f1",
        vaccination="full",
        kind="home",
        address="4 Lê Lai",
        start_date=today - timedelta(days=6),
    )
    result_record(order=done, actor=station, result="negative")
    done = order_release(order=done, actor=station, unit="Trạm Y tế phường Hạc Thành")
    draft = QuarantinePolicy.objects.create(
        version="DRAFT-1", title="Nháp", effective_from=today, checks_per_day=2
    )
    return {
        "order": order,
        "home_order": home_order,
        "done_order": done,
        "q_person": actors.make_person("Ngô Thị K", "+84912345683", commune_id=actors.COMMUNE_A),
        "draft_policy": draft,
        "report_sig": report_signature(home_order.pk),
        "certificate_sig": certificate_signature(done.certificate_number),
        "today": today.isoformat(),
        "later": (home_order.planned_end + timedelta(days=3)).isoformat(),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)
