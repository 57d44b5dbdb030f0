"""The acceptance lifecycles through the service layer: F1 → bulk order → SMS with link → self-reports
→ staff checks → negative test on the policy day → completion → certificate whose QR verifies; a
positive test → case, traced, roommates extended and listed as F1; a what-if that changes exactly the
orders it previews."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.lib.errors import Conflict
from qrtrace.notifications.models import Message
from qrtrace.quarantine.certificate import certificate_pdf
from qrtrace.quarantine.models import EventKind, OrderStatus, QuarantineOrder
from qrtrace.quarantine.policy import policy_changes
from qrtrace.quarantine.selectors import facility_board, occupancy_by_facility, open_order_counts, worklist
from qrtrace.quarantine.services import (
    check_record,
    lab_csv_import,
    order_create,
    order_release,
    orders_create_for_case,
    policy_apply,
    policy_draft_create,
    result_record,
)
from qrtrace.tracing.models import Case, CaseStatus, Exposure, ExposureStatus, Level
from tests import actors

from .conftest import make_facility

TODAY = timezone.localdate


def _case_with_f1(count: int, *, prefix="+849127"):
    source = actors.make_person("Ca Bệnh", prefix + "99999", commune_id=actors.COMMUNE_A)
    case = Case.objects.create(person=source, confirmed_at=timezone.now() - timedelta(hours=3))
    people = [
        actors.make_person(f"F1 số {i}", f"{prefix}{i:05d}", commune_id=actors.COMMUNE_A)
        for i in range(count)
    ]
    for person in people:
        Exposure.objects.create(case=case, person=person, level=Level.F1, source_person=source)
    return case, people


def _qr_links(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    found = [
        b.text
        for page in document
        for b in zxingcpp.read_barcodes(page.render(scale=2).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)
    ]
    document.close()
    return found


def test_an_f1_goes_from_the_case_to_a_certificate_whose_qr_says_genuine(client, commune_official):
    case, [person] = _case_with_f1(1)
    start = TODAY() - timedelta(days=5)
    result = orders_create_for_case(
        actor=commune_official,
        case=case,
        exposure_ids=None,
        kind="home",
        vaccination="full",
        start_date=start,
    )
    [order] = result.created
    sms = Message.objects.get(person=person, reference=f"quarantine:{order.pk}")
    link = urlparse(sms.body.rsplit(" ", 1)[-1]).path
    page = client.get(link)
    assert page.status_code == 200 and "Khai báo sức khoẻ" in page.content.decode()
    assert client.post(link, {"temperature": "36,8", "spo2": "98"}).status_code == 200
    check = order.checks.get()
    assert (check.temperature, check.spo2, check.self_reported, check.red_flag) == (
        Decimal("36.8"),
        98,
        True,
        False,
    )
    check_record(order=order, actor=commune_official, temperature=Decimal("36.6"), spo2=99, slot="evening")
    [test] = order.tests.all()
    assert (test.day, test.due_on) == (5, start + timedelta(days=4))
    result_record(order=order, actor=commune_official, result="negative", lab="CDC Thanh Hóa")
    released = order_release(order=order, actor=commune_official, unit="UBND phường Hạc Thành")
    assert released.status == OrderStatus.COMPLETED
    pdf = certificate_pdf(QuarantineOrder.objects.get(pk=order.pk))
    [url] = _qr_links(pdf)
    verify = client.get(urlparse(url).path)
    text = verify.content.decode()
    assert verify.status_code == 200 and "Hợp lệ" in text and released.certificate_number in text
    assert "F.S.0." in text and "F1 số 0" not in text  # initials only
    assert client.get(urlparse(url).path[:-1] + "0").status_code == 404  # an altered signature


def test_a_positive_test_makes_a_traced_case_and_extends_the_roommates_who_become_its_f1(commune_official):
    facility = make_facility("KCL-R", beds=3)
    people = [
        actors.make_person(f"Phòng {i}", f"+8491260000{i}", commune_id=actors.COMMUNE_A) for i in range(3)
    ]
    start = TODAY() - timedelta(days=3)
    orders = [
        order_create(
            actor=commune_official,
            person=p,
            reason="f1",
            vaccination="full",
            kind="facility",
            facility=facility,
            start_date=start,
        )
        for p in people
    ]
    sick, *mates = orders
    before = {m.pk: m.planned_end for m in mates}
    result_record(order=sick, actor=commune_official, result="positive", day=5, register_case=True)
    sick.refresh_from_db()
    case = Case.objects.get(person=people[0], status=CaseStatus.ACTIVE)
    assert sick.status == OrderStatus.BECAME_CASE and sick.case_id == case.pk
    assert case.traced_at is not None
    for mate in QuarantineOrder.objects.filter(pk__in=before):
        assert mate.planned_end == TODAY() + timedelta(days=5) > before[mate.pk]
        assert mate.events.filter(kind=EventKind.REEXPOSED).exists()
        assert mate.tests.filter(due_on=TODAY() + timedelta(days=4)).exists()
    f1 = Exposure.objects.filter(case=case, level=Level.F1)
    assert set(f1.values_list("person_id", flat=True)) == {p.pk for p in people[1:]}
    assert set(f1.values_list("status", flat=True)) == {ExposureStatus.QUARANTINED}


def test_a_shorter_policy_previews_exactly_the_orders_it_changes_and_applying_changes_only_those(
    commune_official, province_official
):
    vaccinated = actors.make_person("Đã tiêm", "+84912500001", commune_id=actors.COMMUNE_A)
    unvaccinated = actors.make_person("Chưa tiêm", "+84912500002", commune_id=actors.COMMUNE_A)
    kept = order_create(
        actor=commune_official, person=vaccinated, reason="f1", vaccination="full", kind="home", address="1"
    )
    changed = order_create(
        actor=commune_official, person=unvaccinated, reason="f1", vaccination="none", kind="home", address="2"
    )
    draft = policy_draft_create(
        actor=province_official,
        version="TH-2026-01",
        title="F1 chưa tiêm: 5 ngày",
        effective_from=TODAY(),
        rules=[{"reason": "f1", "vaccination": "none", "days": 5, "test_days": [5], "monitoring_days": 5}],
    )
    changes = policy_changes(draft)
    assert [(c.order_id, c.new_planned_end, c.new_test_days) for c in changes] == [
        (changed.pk, changed.start_date + timedelta(days=5), (5,))
    ]
    changed.refresh_from_db()
    assert changed.planned_end == changed.start_date + timedelta(days=7)  # nothing until applied
    with pytest.raises(Conflict):
        policy_apply(actor=province_official, policy=draft, expected=[kept.pk, changed.pk])
    policy_apply(actor=province_official, policy=draft, expected=[changed.pk])
    changed.refresh_from_db()
    kept.refresh_from_db()
    assert (changed.planned_end, changed.policy.version) == (
        changed.start_date + timedelta(days=5),
        "TH-2026-01",
    )
    assert list(changed.tests.values_list("day", flat=True)) == [5]
    assert kept.planned_end == kept.start_date + timedelta(days=5) and kept.policy.version == "BYT-2022-02"
    assert AuditEvent.objects.filter(object_type="quarantine_policy", action="apply").exists()


def test_a_lab_csv_keeps_the_good_rows_and_lists_the_bad_ones(commune_official):
    people = [
        actors.make_person(f"Lab {i}", f"+8491270000{i}", commune_id=actors.COMMUNE_A) for i in range(2)
    ]
    a, b = (
        order_create(
            actor=commune_official, person=p, reason="f1", vaccination="full", kind="home", address="x"
        )
        for p in people
    )
    csv = (
        "order,day,result,test_type,sample_date,lab\n"
        f"QO-{a.pk},5,âm tính,pcr,{TODAY().isoformat()},CDC\n"
        f"QO-{b.pk},5,maybe,pcr,,CDC\n"
        f"{b.pk},9,negative,pcr,,CDC\n"
        '=HYPERLINK("x"),5,negative,pcr,,\n'
        "999999,5,negative,pcr,,\n"
        f"{b.pk},5,negative,pcr,31/12/2026,\n"
    ).encode()
    result = lab_csv_import(actor=commune_official, data=csv)
    assert result.saved == 1
    assert [line for line, _row, _why in result.errors] == [3, 4, 5, 6, 7]
    assert result.errors[2][1].startswith("'=")  # shown inert
    assert a.tests.get().result == "negative" and b.tests.get().result == "pending"


def test_the_worklist_puts_red_flags_and_missed_reports_first_and_the_board_counts_beds(
    facility, facility_staff, commune_official
):
    people = [
        actors.make_person(f"KCL {i}", f"+8491280000{i}", commune_id=actors.COMMUNE_A) for i in range(3)
    ]
    orders = [
        order_create(
            actor=commune_official,
            person=p,
            reason="f1",
            vaccination="none",
            kind="facility",
            facility=facility,
        )
        for p in people
    ]
    check_record(order=orders[2], actor=facility_staff, temperature=Decimal("38.4"), spo2=97)
    items = worklist(user=facility_staff, facility=facility)
    assert items[0].order == orders[2] and items[0].red_flag
    assert AuditEvent.objects.filter(purpose="quarantine worklist", actor=facility_staff).exists()
    board = facility_board(user=facility_staff)
    [line] = board.facilities
    assert (line.occupancy.beds, line.occupancy.occupied, line.occupancy.free) == (4, 3, 1)
    assert line.arrivals[0] == 3 and line.releases[7 - 1] == 0
    assert line.forecast_free == [1] * 7  # all three stay 7 days
    assert [o.free for o in occupancy_by_facility()] == [1]
    assert sum(row["count"] for row in open_order_counts()) == 3
