from datetime import timedelta

import pytest
from django.utils import timezone

from qrtrace.quarantine.models import Facility
from qrtrace.quarantine.services import beds_add
from tests import actors

from .policies import ensure_ministry_policies


def make_facility(
    code: str = "KCL-A",
    commune: int = actors.COMMUNE_A,
    *,
    beds: int = 4,
    rooms: int = 1,
    name="Ký túc xá Hồng Đức",
):
    facility = Facility.objects.create(
        code=code,
        name=name,
        kind="dormitory",
        commune_id=commune,
        address="565 Quang Trung",
        managing_unit="Ban quản lý khu cách ly Hồng Đức",
    )
    admin = actors.make_admin(f"setup-{code}")
    for number in range(1, rooms + 1):
        beds_add(actor=admin, facility=facility, room_label=f"P{number}", beds=beds)
    return facility


def order_at(official, person, facility, **kw):
    """An F1, fully vaccinated, ordered into `facility` (room rules and the like in `kw`)."""
    from qrtrace.quarantine.services import order_create

    return order_create(
        actor=official,
        person=person,
        reason="f1",
        vaccination="full",
        kind="facility",
        facility=facility,
        **kw,
    )


@pytest.fixture
def facility(db):
    return make_facility()


@pytest.fixture
def facility_staff(facility):
    return actors.make_official("kcl_a", "quarantine", facility.code)


@pytest.fixture
def resident(db):
    return actors.make_person("Lê Thị Cách Ly", "+84912000001", commune_id=actors.COMMUNE_A)


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture(autouse=True)
def ministry_policies(request):
    if "live" not in request.fixturenames:  # the live database of the concurrency test is migrated
        request.getfixturevalue("db")
        ensure_ministry_policies()


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here; pages and the SMS are checked in Vietnamese where it matters."""
    from django.utils import translation

    with translation.override("en"):
        yield
