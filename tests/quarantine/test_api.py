"""/api/v1/quarantine: orders and their course, checks, tests, release, transfer, facilities, policies."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from qrtrace.accounts.services import api_token_create
from qrtrace.quarantine.models import QuarantineOrder
from tests import actors

TODAY = timezone.localdate


@pytest.fixture
def call(client):
    def request(user, method: str, path: str, body=None):
        headers = {"Authorization": f"Bearer {api_token_create(user=user)}"}
        url = f"/api/v1/quarantine{path}"
        if method == "get":
            return client.get(url, body or {}, headers=headers)
        return getattr(client, method)(
            url, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return request


def _order(call, official, person, **extra):
    body = {
        "person_id": person.pk,
        "reason": "f1",
        "vaccination": "full",
        "kind": "home",
        "address": "5 Lê Lai",
    }
    return call(official, "post", "/orders", body | extra)


def test_an_order_is_created_read_listed_and_a_second_open_one_is_a_409(call, commune_official, resident):
    created = _order(call, commune_official, resident)
    assert created.status_code == 201, created.content
    order = created.json()
    assert (order["planned_end"], order["test_days"], order["policy"]) == (
        (TODAY() + timedelta(days=5)).isoformat(),
        [5],
        "BYT-2022-02",
    )
    again = _order(call, commune_official, resident)
    assert again.status_code == 409 and "Lê Thị Cách Ly" in again.json()["detail"]
    listed = call(commune_official, "get", "/orders", {"status": "in_quarantine", "kind": "home"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == order["id"]
    assert call(commune_official, "get", f"/orders/{order['id']}").json()["full_name"] == "Lê Thị Cách Ly"


def test_a_person_outside_the_area_is_a_404_and_bad_input_a_422(
    call, other_commune_official, commune_official, resident
):
    assert _order(call, other_commune_official, resident).status_code == 404
    assert _order(call, commune_official, resident, reason="bogus").status_code == 422
    assert _order(call, commune_official, resident, start_date="2026-13-01").status_code == 422
    assert call(commune_official, "get", "/orders/99999999999999999999").status_code == 422


def test_patch_extends_with_a_reason_and_refuses_a_date_before_the_start(call, commune_official, resident):
    order = _order(call, commune_official, resident).json()
    later = (TODAY() + timedelta(days=9)).isoformat()
    refused = call(commune_official, "patch", f"/orders/{order['id']}", {"planned_end": later})
    assert refused.status_code == 400 and "reason" in refused.json()["detail"]
    done = call(commune_official, "patch", f"/orders/{order['id']}", {"planned_end": later, "reason": "Ho"})
    assert done.json()["planned_end"] == later
    before = (TODAY() - timedelta(days=1)).isoformat()
    assert (
        call(
            commune_official, "patch", f"/orders/{order['id']}", {"planned_end": before, "reason": "x"}
        ).status_code
        == 400
    )


def test_checks_tests_and_release_through_the_api(call, commune_official, resident):
    order = _order(
        call, commune_official, resident, start_date=(TODAY() - timedelta(days=5)).isoformat()
    ).json()
    check = call(
        commune_official, "post", f"/orders/{order['id']}/checks", {"temperature": "38.2", "spo2": 97}
    )
    assert check.status_code == 201 and check.json()["red_flag"] is True
    assert (
        call(commune_official, "post", f"/orders/{order['id']}/release", {}).status_code == 400
    )  # test pending
    result = call(
        commune_official, "post", f"/orders/{order['id']}/tests", {"result": "negative", "lab": "CDC"}
    )
    assert result.json()["result"] == "negative"
    assert (
        call(
            commune_official, "post", f"/orders/{order['id']}/tests", {"result": "negative", "day": 5}
        ).status_code
        == 409
    )
    released = call(commune_official, "post", f"/orders/{order['id']}/release", {})
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "completed" and released.json()["certificate_number"]
    late = call(commune_official, "post", f"/orders/{order['id']}/checks", {"temperature": "36.5"})
    assert late.status_code == 400


def test_a_transfer_answers_the_new_order_placed_in_a_bed(call, commune_official, resident, facility):
    order = _order(call, commune_official, resident).json()
    moved = call(
        commune_official,
        "post",
        f"/orders/{order['id']}/transfer",
        {"kind": "facility", "facility_code": facility.code, "reason": "Nhà chật"},
    )
    assert moved.status_code == 201 and moved.json()["bed"] == "P1/1"
    assert QuarantineOrder.objects.get(pk=order["id"]).status == "transferred"


def test_facilities_show_occupancy_and_only_the_province_opens_one(
    call, commune_official, province_official, facility, resident
):
    _order(call, commune_official, resident, kind="facility", facility_code=facility.code, vaccination="none")
    [row] = call(province_official, "get", "/facilities").json()["items"]
    assert (row["beds"], row["occupied"], row["free"]) == (4, 1, 3)
    body = {
        "code": "KCL-B",
        "name": "Trường THCS",
        "commune_code": actors.COMMUNE_A,
        "address": "1",
        "managing_unit": "BQL",
    }
    assert call(commune_official, "post", "/facilities", body).status_code == 403
    assert call(province_official, "post", "/facilities", body).status_code == 201
    assert call(province_official, "post", "/facilities", body).status_code == 409


def test_a_policy_preview_lists_the_changes_and_apply_needs_the_same_list(
    call, commune_official, province_official, resident
):
    order = _order(call, commune_official, resident).json()
    body = {
        "version": "TH-3",
        "title": "3 ngày",
        "effective_from": TODAY().isoformat(),
        "rules": [{"reason": "f1", "vaccination": "full", "days": 3, "test_days": [3]}],
    }
    preview = call(province_official, "post", "/policies/preview", body)
    assert preview.status_code == 201, preview.content
    [change] = preview.json()["changes"]
    assert change["order_id"] == order["id"] and change["new_test_days"] == [3]
    policy = preview.json()["policy_id"]
    assert call(province_official, "post", f"/policies/{policy}/apply", {"orders": []}).status_code == 409
    applied = call(province_official, "post", f"/policies/{policy}/apply", {"orders": [order["id"]]})
    assert applied.status_code == 200
    assert (
        call(commune_official, "get", f"/orders/{order['id']}").json()["planned_end"]
        == change["new_planned_end"]
    )
    versions = [p["version"] for p in call(commune_official, "get", "/policies").json()["items"]]
    assert versions[0] == "TH-3" and "BYT-2021-05" in versions


def test_a_bed_against_the_room_rules_is_a_409_in_vietnamese_unless_an_override_reason_is_given(
    call, commune_official, resident
):
    _men_only()
    place = {"kind": "facility", "facility_code": "KCL-M", "sex": "f", "address": ""}
    refused = _order(call, commune_official, resident, **place)
    assert refused.status_code == 409
    assert "chỉ dành cho nam" in refused.json()["detail"]
    override = {**place, "override_reason": "Mẹ chăm con nhỏ"}
    placed = _order(call, commune_official, resident, **override)
    assert placed.status_code == 201, placed.content
    assert (placed.json()["bed"], placed.json()["sex"]) == ("M1/1", "f")


def test_a_transfer_into_a_room_for_another_sex_is_a_409(call, commune_official, resident):
    _men_only()
    order = _order(call, commune_official, resident, sex="f").json()
    body = {"kind": "facility", "facility_code": "KCL-M", "reason": "Chuyển khu"}
    refused = call(commune_official, "post", f"/orders/{order['id']}/transfer", body)
    assert refused.status_code == 409, refused.content
    moved = call(
        commune_official,
        "post",
        f"/orders/{order['id']}/transfer",
        {**body, "override_reason": "Không còn giường khác"},
    )
    assert moved.status_code == 201, moved.content


def _men_only():
    from qrtrace.quarantine.services import beds_add

    from .conftest import make_facility

    facility = make_facility("KCL-M", rooms=0, name="Khu nam")
    beds_add(actor=actors.make_admin("setup-m"), facility=facility, room_label="M1", beds=1, sex="m")
