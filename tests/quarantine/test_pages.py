"""Pages: who sees whom, and what a red flag or a closed order looks like."""

from decimal import Decimal

from qrtrace.audit.models import AuditEvent
from qrtrace.quarantine.links import report_signature
from qrtrace.quarantine.services import check_record, order_create
from tests import actors

from .conftest import make_facility


def test_facility_staff_see_their_facilitys_people_only(client, commune_official, facility, facility_staff):
    other = make_facility("KCL-B", name="Trường học B")
    mine = actors.make_person("Ở khu A", "+84912400001", commune_id=actors.COMMUNE_A)
    theirs = actors.make_person("Ở khu B", "+84912400002", commune_id=actors.COMMUNE_A)
    at_home = actors.make_person("Ở nhà", "+84912400003", commune_id=actors.COMMUNE_A)
    kw = {"actor": commune_official, "reason": "f1", "vaccination": "none"}
    order_create(person=mine, kind="facility", facility=facility, **kw)
    order_b = order_create(person=theirs, kind="facility", facility=other, **kw)
    order_create(person=at_home, kind="home", address="1", **kw)
    client.force_login(facility_staff)
    page = client.get("/quarantine/orders/").content.decode()
    assert "Ở khu A" in page and "Ở khu B" not in page and "Ở nhà" not in page
    assert client.get(f"/quarantine/orders/{order_b.pk}/").status_code == 404
    assert client.get(f"/quarantine/facilities/{other.code}/worklist").status_code == 404
    assert client.get("/quarantine/worklist").url == f"/quarantine/facilities/{facility.code}/worklist"
    assert AuditEvent.objects.filter(
        actor=facility_staff, object_type="quarantine_order", action="list"
    ).exists()


def test_the_station_worklist_shows_home_quarantine_with_its_red_flag(client, commune_official, resident):
    order = order_create(
        actor=commune_official, person=resident, reason="f1", vaccination="full", kind="home", address="1"
    )
    check_record(order=order, actor=None, temperature=Decimal("38.5"), spo2=95)
    client.force_login(commune_official)
    page = client.get(f"/quarantine/communes/{actors.COMMUNE_A}/worklist").content.decode()
    assert "Lê Thị Cách Ly" in page and "Cảnh báo: sốt, SpO2 thấp hoặc khó thở" in page


def test_a_self_report_link_with_a_wrong_signature_is_a_404_and_a_bad_value_is_explained(
    client, commune_official, resident
):
    order = order_create(
        actor=commune_official, person=resident, reason="f1", vaccination="full", kind="home", address="1"
    )
    assert client.get(f"/q/{order.pk}/1AAAAAAAAAAAAAAAA").status_code == 404
    answer = client.post(f"/q/{order.pk}/{report_signature(order.pk)}", {"temperature": "45", "spo2": "98"})
    assert answer.status_code == 200 and "Nhiệt độ từ 34 đến 43 °C." in answer.content.decode()
    assert not order.checks.exists()


def test_the_case_page_links_to_the_bulk_order_through_tracings_hook(client, commune_official):
    from datetime import timedelta

    from django.utils import timezone

    from qrtrace.tracing.models import Case

    case = Case.objects.create(
        person=actors.make_person("Ca", "+84912400009", commune_id=actors.COMMUNE_A),
        confirmed_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(commune_official)
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert f'href="/quarantine/cases/{case.pk}/orders"' in page


def test_a_revoked_certificate_verifies_as_revoked_with_initials_only(client, commune_official, resident):
    from datetime import timedelta

    from django.utils import timezone

    from qrtrace.quarantine.links import certificate_signature
    from qrtrace.quarantine.services import order_release, result_record

    order = order_create(
        actor=commune_official,
        person=resident,
        reason="f1",
        vaccination="full",
        kind="home",
        address="1",
        start_date=timezone.localdate() - timedelta(days=6),
    )
    result_record(order=order, actor=commune_official, result="negative")
    order = order_release(order=order, actor=commune_official)
    client.force_login(commune_official)
    client.post(f"/quarantine/orders/{order.pk}/revoke", {"reason": "Cấp nhầm"})
    page = client.get(f"/q/c/{order.certificate_number}/{certificate_signature(order.certificate_number)}")
    text = page.content.decode()
    assert "ĐÃ THU HỒI" in text and "L.T.C.L." in text and "Lê Thị" not in text


def test_facility_staff_add_a_room_with_beds(client, facility, facility_staff):
    client.force_login(facility_staff)
    client.post(
        f"/quarantine/facilities/{facility.code}/rooms", {"room_label": "P9", "beds": "3", "sex": "f"}
    )
    room = facility.rooms.get(label="P9")
    assert (room.beds.count(), room.sex) == (3, "f")


def test_tracing_stops_f2_at_an_open_orders_start(commune_official, resident):
    from datetime import datetime, time

    from django.utils import timezone

    from qrtrace.tracing.hooks import quarantine_starts

    order = order_create(
        actor=commune_official, person=resident, reason="f1", vaccination="full", kind="home", address="1"
    )
    expected = datetime.combine(order.start_date, time.min, tzinfo=timezone.get_current_timezone())
    assert quarantine_starts([resident.pk]) == {resident.pk: expected}


def test_the_order_filter_keeps_exactly_the_orders_the_rule_allows(
    commune_official, other_commune_official, facility, facility_staff
):
    from qrtrace.accounts.permissions import can_read_order, orders_q
    from qrtrace.quarantine.models import QuarantineOrder

    province = actors.make_official("cdc", "province", actors.PROVINCE)
    kw = {"actor": province, "reason": "f1", "vaccination": "none"}
    a_home = actors.make_person("A nhà", "+84912410001", commune_id=actors.COMMUNE_A)
    b_stay = actors.make_person("B khu", "+84912410002", commune_id=actors.COMMUNE_B)
    order_create(person=a_home, kind="home", address="1", **kw)
    order_create(person=b_stay, kind="facility", facility=facility, **kw)
    for user in (commune_official, other_commune_official, facility_staff, province):
        kept = set(QuarantineOrder.objects.filter(orders_q(user)).values_list("pk", flat=True))
        assert kept == {
            o.pk for o in QuarantineOrder.objects.select_related("facility") if can_read_order(user, o)
        }
    assert QuarantineOrder.objects.filter(orders_q(facility_staff)).get().person == b_stay
