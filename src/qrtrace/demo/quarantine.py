"""Demo quarantine: facilities with rooms and beds in the first communes, and orders of demo people
in every state (ordered, in quarantine at a facility or at home with their reports and one red flag,
completed with a certificate, ended early, absconded), made through the quarantine services."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qrtrace.accounts.models import User
from qrtrace.geo.models import Commune
from qrtrace.people.models import Person
from qrtrace.quarantine.models import Facility, QuarantineOrder
from qrtrace.quarantine.services import (
    beds_add,
    check_record,
    facility_create,
    order_create,
    order_end,
    order_release,
    order_start,
    result_record,
)

FACILITIES = [
    ("DEMO-KCL1", "Ký túc xá Đại học Hồng Đức", "dormitory", "Ban quản lý khu cách ly KTX Hồng Đức"),
    ("DEMO-KCL2", "Trường Quân sự tỉnh", "barracks", "Bộ Chỉ huy Quân sự tỉnh"),
    ("DEMO-KCL3", "Khách sạn Lam Kinh", "hotel", "Trung tâm Kiểm soát bệnh tật tỉnh"),
]


@transaction.atomic
def demo_quarantine(*, province_code: int, official: User, rng: random.Random) -> dict[str, int]:
    """Idempotent: nothing is added once the first demo facility exists."""
    if Facility.objects.filter(code=FACILITIES[0][0]).exists():
        return {"facilities": 0, "orders": 0}
    communes = list(Commune.objects.filter(province_id=province_code).order_by("code")[:3])
    for (code, name, kind, unit), commune in zip(FACILITIES, communes, strict=False):
        facility = facility_create(
            actor=official,
            code=code,
            name=name,
            kind=kind,
            commune_code=commune.code,
            address=f"{rng.randint(1, 300)} Lê Lợi",
            managing_unit=unit,
        )
        # Two rooms for anyone, one kept for a cohort, one for women: the room rules at work.
        for room, rules in enumerate(({}, {}, {"cohort": "Đợt 1"}, {"sex": "f"}), start=1):
            beds_add(actor=official, facility=facility, room_label=f"P{100 + room}", beds=4, **rules)
    facilities = list(Facility.objects.filter(code__startswith="DEMO-").order_by("code"))
    busy = QuarantineOrder.objects.values("person_id")
    people = list(
        Person.objects.filter(commune__province_id=province_code, guardian__isnull=True)
        .exclude(pk__in=busy)
        .order_by("pk")[:40]
    )
    today = timezone.localdate()
    for i, person in enumerate(people):
        facility = facilities[i % len(facilities)]
        at_home = i % 2 == 1
        start = today - timedelta(days=rng.randint(0, 4))
        kind = (
            {"kind": "home", "address": f"{rng.randint(1, 200)} Trần Phú"}
            if at_home
            else {"kind": "facility", "facility": facility}
        )
        vaccination = rng.choice(["full", "full", "partial", "none"])
        if i >= 34:  # done: completed with a certificate, ended early, absconded
            start = today - timedelta(days=8)
            vaccination = "full"
        order = order_create(
            actor=official, person=person, reason="f1", vaccination=vaccination, start_date=start, **kind
        )
        if order.status == "ordered" and (i % 4 != 0 or i >= 34):  # one in four has not arrived yet
            order = order_start(order=order, actor=official)
        if order.status == "in_quarantine":
            fever = i == 3  # one red flag on the worklist
            check_record(
                order=order,
                actor=None if at_home else official,
                temperature=Decimal("38.6") if fever else Decimal(f"36.{rng.randint(3, 9)}"),
                spo2=rng.randint(96, 99),
                slot="morning",
            )
        if i >= 34:
            if i % 3 == 0:
                result_record(order=order, actor=official, result="negative", lab="CDC Thanh Hóa")
                order_release(order=order, actor=official)
            elif i % 3 == 1:
                order_end(
                    order=order, actor=official, status="ended_early", reason="Chuyển viện điều trị bệnh nền"
                )
            else:
                order_end(order=order, actor=official, status="absconded", reason="Không có mặt khi kiểm tra")
    return {"facilities": len(facilities), "orders": len(people)}
