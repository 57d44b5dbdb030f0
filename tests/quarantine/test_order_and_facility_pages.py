"""The order page (person, reason, where, history, actions as forms) and the facility page (rooms,
beds, who is in which bed, its status), in Vietnamese, scoped and audited."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from qrtrace.audit.models import AuditEvent
from qrtrace.quarantine.models import EventKind, Facility
from qrtrace.quarantine.services import beds_add, order_extend
from tests import actors

from .conftest import make_facility
from .conftest import order_at as _stay


@pytest.fixture(autouse=True)
def vietnamese(english):
    with translation.override("vi"):
        yield


def test_the_order_page_shows_where_the_history_with_who_and_why_and_audits_the_read(
    client, commune_official, resident, facility
):
    order = _stay(commune_official, resident, facility, sex="f")
    order_extend(
        order=order,
        actor=commune_official,
        planned_end=order.planned_end + timedelta(days=2),
        reason="Chờ kết quả xét nghiệm",
    )
    client.force_login(commune_official)
    page = client.get(f"/quarantine/orders/{order.pk}/").content.decode()
    assert "Lê Thị Cách Ly" in page and "phòng P1, giường 1" in page
    assert "Chờ kết quả xét nghiệm" in page and str(commune_official) in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page  # the start, through the `day` filter
    assert AuditEvent.objects.filter(
        actor=commune_official, action="read", object_id=str(order.pk), object_type="quarantine_order"
    ).exists()


def test_a_refused_transfer_shows_the_form_again_with_the_room_rule_in_vietnamese(
    client, commune_official, resident, facility
):
    men = make_facility("KCL-M", rooms=0, name="Khu nam")
    beds_add(actor=actors.make_admin("setup-m"), facility=men, room_label="M1", beds=1, sex="m")
    order = _stay(commune_official, resident, facility, sex="f")
    client.force_login(commune_official)
    url = f"/quarantine/orders/{order.pk}/transfer"
    body = {"kind": "facility", "facility": "KCL-M", "reason": "Chuyển khu"}
    refused = client.post(url, body)
    assert refused.status_code == 409
    assert "Phòng M1 chỉ dành cho nam." in refused.content.decode()
    assert 'value="Chuyển khu"' in refused.content.decode()  # what was typed is kept
    moved = client.post(url, {**body, "override_reason": "Khu nữ đã kín"})
    assert moved.status_code == 302
    assert men.orders.get().events.get(kind=EventKind.PLACE).reason == "Khu nữ đã kín"


def test_an_extend_without_a_reason_is_a_form_error_not_a_500(client, commune_official, resident, facility):
    order = _stay(commune_official, resident, facility)
    client.force_login(commune_official)
    answer = client.post(f"/quarantine/orders/{order.pk}/extend", {"planned_end": "2000-01-01"})
    assert answer.status_code == 400 and "errorlist" in answer.content.decode()


def test_the_facility_page_shows_who_is_in_which_bed_to_its_staff_and_audits_it(
    client, commune_official, resident, facility, facility_staff
):
    order = _stay(commune_official, resident, facility)
    client.force_login(facility_staff)
    page = client.get(f"/quarantine/facilities/{facility.code}/").content.decode()
    assert f'href="/quarantine/orders/{order.pk}/"' in page and "Lê Thị Cách Ly" in page
    assert "Trống" in page  # the other beds
    event = AuditEvent.objects.get(actor=facility_staff, object_type="facility", action="list")
    assert list(event.subjects.values_list("person_id", flat=True)) == [resident.pk]


def test_staff_of_another_facility_and_the_commune_station_get_a_404(client, commune_official, facility):
    other = make_facility("KCL-B", name="Trường học B")
    client.force_login(actors.make_official("kcl_b", "quarantine", other.code))
    assert client.get(f"/quarantine/facilities/{facility.code}/").status_code == 404
    assert client.get("/quarantine/facilities/NO-SUCH/").status_code == 404
    client.force_login(commune_official)
    assert client.get(f"/quarantine/facilities/{facility.code}/").status_code == 404


def test_closing_a_facility_is_audited_and_it_then_takes_no_one(
    client, commune_official, resident, facility, facility_staff
):
    client.force_login(facility_staff)
    assert (
        client.post(f"/quarantine/facilities/{facility.code}/status", {"status": "closed"}).status_code == 302
    )
    assert Facility.objects.get(pk=facility.pk).status == "closed"
    assert AuditEvent.objects.filter(
        object_type="facility", object_id=facility.code, action="update"
    ).exists()
    again = client.post(f"/quarantine/facilities/{facility.code}/status", {"status": "closed"})
    assert again.status_code == 400 and "Khu cách ly đang ở trạng thái này." in again.content.decode()
    assert client.post(f"/quarantine/facilities/{facility.code}/status", {"status": "x"}).status_code == 400


def test_the_board_and_the_worklist_link_the_facility_page(client, facility, facility_staff):
    client.force_login(facility_staff)
    link = f'href="/quarantine/facilities/{facility.code}/"'
    assert link in client.get("/quarantine/").content.decode()
    assert link in client.get(f"/quarantine/facilities/{facility.code}/worklist").content.decode()
