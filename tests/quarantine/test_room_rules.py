"""Room rules: a room may be kept for one sex and one cohort; a bed that breaks them is refused unless
the official gives an override reason, which the history and the audit keep."""

import pytest
from django.utils import translation

from qrtrace.audit.models import AuditEvent
from qrtrace.lib.errors import Conflict
from qrtrace.quarantine.models import EventKind, QuarantineOrder
from qrtrace.quarantine.services import beds_add, order_place, order_transfer
from tests import actors

from .conftest import make_facility
from .conftest import order_at as _order


@pytest.fixture
def women_only(db):
    facility = make_facility("KCL-W", rooms=0, name="Khu cách ly nữ")
    beds_add(actor=actors.make_admin("setup-w"), facility=facility, room_label="N1", beds=2, sex="f")
    return facility


def test_a_woman_gets_a_bed_in_a_room_for_women(commune_official, resident, women_only):
    order = _order(commune_official, resident, women_only, sex="f")
    assert order.bed.room.label == "N1"


def test_a_man_or_a_person_of_unrecorded_sex_is_refused_a_room_for_women(commune_official, women_only):
    man = actors.make_person("Trần Văn Nam", "+84912000071", commune_id=actors.COMMUNE_A)
    for sex in ("m", ""):
        with pytest.raises(Conflict, match="Room N1 is for women only"):
            _order(commune_official, man, women_only, sex=sex)
    assert not QuarantineOrder.objects.filter(person=man).exists()


def test_the_refusal_is_in_vietnamese_by_default(commune_official, women_only):
    man = actors.make_person("Trần Văn Nam", "+84912000071", commune_id=actors.COMMUNE_A)
    with translation.override("vi"), pytest.raises(Conflict) as refused:
        _order(commune_official, man, women_only, sex="m")
    assert "chỉ dành cho nữ" in str(refused.value)


def test_an_override_reason_places_the_person_and_is_kept_in_the_history_and_the_audit(
    commune_official, women_only
):
    man = actors.make_person("Trần Văn Nam", "+84912000071", commune_id=actors.COMMUNE_A)
    order = _order(commune_official, man, women_only, sex="m", override_reason="Hai vợ chồng ở chung phòng")
    place = order.events.get(kind=EventKind.PLACE)
    assert place.reason == "Hai vợ chồng ở chung phòng" and "women" in place.details["room_rule"]
    audit = AuditEvent.objects.get(action="room_rule_override", object_id=str(order.pk))
    assert audit.details["reason"] == "Hai vợ chồng ở chung phòng"


def test_a_bed_is_chosen_in_a_room_the_person_fits_before_any_other(commune_official, women_only):
    admin = actors.make_admin("setup-w2")
    beds_add(actor=admin, facility=women_only, room_label="D1", beds=1, cohort="Đợt 3")
    beds_add(actor=admin, facility=women_only, room_label="Z9", beds=1)
    man = actors.make_person("Trần Văn Nam", "+84912000071", commune_id=actors.COMMUNE_A)
    other = actors.make_person("Lê Văn Ba", "+84912000072", commune_id=actors.COMMUNE_A)
    assert _order(commune_official, man, women_only, sex="m").bed.room.label == "Z9"
    assert _order(commune_official, other, women_only, sex="m", cohort="Đợt 3").bed.room.label == "D1"


def test_a_cohort_room_refuses_another_cohort(commune_official, resident):
    facility = make_facility("KCL-C", rooms=0)
    beds_add(actor=actors.make_admin("setup-c"), facility=facility, room_label="P1", beds=2, cohort="Đợt 1")
    with pytest.raises(Conflict, match="cohort “Đợt 1”"):
        _order(commune_official, resident, facility, sex="f", cohort="Đợt 2")
    assert _order(commune_official, resident, facility, sex="f", cohort="Đợt 1").bed.room.cohort == "Đợt 1"


def test_a_transfer_follows_the_room_rules_of_the_new_facility(commune_official, women_only, facility):
    man = actors.make_person("Trần Văn Nam", "+84912000071", commune_id=actors.COMMUNE_A)
    order = _order(commune_official, man, facility, sex="m")
    with pytest.raises(Conflict, match="for women only"):
        order_transfer(
            order=order, actor=commune_official, kind="facility", facility=women_only, reason="Đầy"
        )
    order.refresh_from_db()
    assert order.is_open and order.facility == facility  # nothing changed
    new = order_transfer(
        order=order,
        actor=commune_official,
        kind="facility",
        facility=women_only,
        reason="Đầy",
        override_reason="Khu nam hết giường",
    )
    assert new.sex == "m" and new.bed.room.label == "N1"


def test_moving_to_a_chosen_bed_that_breaks_the_rules_needs_a_reason(commune_official, women_only):
    admin = actors.make_admin("setup-w3")
    beds_add(actor=admin, facility=women_only, room_label="Z9", beds=1)
    man = actors.make_person("Trần Văn Nam", "+84912000071", commune_id=actors.COMMUNE_A)
    order = _order(commune_official, man, women_only, sex="m")
    women_bed = women_only.rooms.get(label="N1").beds.first()
    with pytest.raises(Conflict):
        order_place(order=order, actor=admin, bed=women_bed)
    assert (
        order_place(order=order, actor=admin, bed=women_bed, override_reason="Theo dõi chung").bed
        == women_bed
    )


def test_bulk_orders_take_rooms_for_anyone_or_their_cohort_and_say_why_the_rest_wait(
    commune_official, women_only
):
    from qrtrace.quarantine.services import orders_create_for_case

    from .test_orders import _case_with_f1

    admin = actors.make_admin("setup-w4")
    beds_add(actor=admin, facility=women_only, room_label="D1", beds=1, cohort="Đợt 1")
    beds_add(actor=admin, facility=women_only, room_label="Z9", beds=1)
    case, _exposures = _case_with_f1(commune_official, 3)
    result = orders_create_for_case(
        actor=commune_official,
        case=case,
        exposure_ids=None,
        kind="facility",
        facility=women_only,
        vaccination="none",
        cohort="Đợt 1",
    )
    assert sorted(o.bed.room.label for o in result.created) == ["D1", "Z9"]
    assert [why for _name, why in result.refused] == [
        "the free beds left in Khu cách ly nữ are in rooms for one sex or another cohort: "
        "order this person on their own, with their sex"
    ]
