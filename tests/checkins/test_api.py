from datetime import timedelta

import pytest
from django.utils import timezone

from qrtrace.accounts.services import api_token_create
from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn, CheckOutMethod
from qrtrace.people.models import Person
from qrtrace.venues.services import venue_suspend
from tests import actors

pytestmark = pytest.mark.django_db


def _post(client, user, path, body=None):
    token = api_token_create(user=user)
    return client.post(
        path, body or {}, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def _body(venue, **overrides):
    body = {
        "venue_code": venue.code,
        "person": {"phone": "0912.345.678", "full_name": "Nguyễn Văn A", "birth_year": 1985},
        "declaration": {"fever": True},
    }
    return body | overrides


def test_an_official_records_a_check_in_with_a_declaration(client, venue, commune_official):
    response = _post(client, commune_official, "/api/v1/checkins", _body(venue))
    assert response.status_code == 201
    checkin = CheckIn.objects.get(pk=response.json()["id"])
    assert response.json()["person_id"] == checkin.person_id
    assert (checkin.method, checkin.staff, checkin.fever, checkin.risk) == (
        "api",
        commune_official,
        True,
        "red",
    )
    assert checkin.person.phone == "+84912345678"
    assert AuditEvent.objects.filter(actor=commune_official, action="create", object_type="checkin").exists()


def test_a_gate_device_syncing_later_keeps_its_times_and_a_resend_is_not_a_duplicate(
    client, venue, venue_staff
):
    entered = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    body = _body(venue, entered_at=entered.isoformat(), left_at=(entered + timedelta(minutes=20)).isoformat())
    first = _post(client, venue_staff, "/api/v1/checkins", body)
    again = _post(client, venue_staff, "/api/v1/checkins", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    checkin = CheckIn.objects.get()
    assert checkin.entered_at == entered and checkin.checkout_method == CheckOutMethod.API


def test_a_visit_that_ends_before_it_begins_is_a_400_naming_the_field_and_saves_nothing(
    client, venue, commune_official
):
    change = {"left_at": "2026-01-01T08:00:00+07:00", "entered_at": "2026-01-01T09:00:00+07:00"}
    response = _post(client, commune_official, "/api/v1/checkins", _body(venue, **change))
    assert response.status_code == 400
    assert "left_at" in response.json()["detail"]
    assert not CheckIn.objects.exists() and not Person.objects.exists()


def test_an_unknown_venue_code_is_a_404_and_saves_nothing(client, venue, commune_official):
    response = _post(client, commune_official, "/api/v1/checkins", _body(venue, venue_code="NOPE123"))
    assert response.status_code == 404
    assert not CheckIn.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person": {"phone": "12345", "full_name": "A"}}, "phone"),
        ({"person": {"phone": "0912345678", "full_name": "A", "citizen_id": "999"}}, "citizen_id"),
        ({"person": {"phone": "0912345678", "full_name": "A", "birth_year": 1850}}, "birth_year"),
        ({"person": {"phone": "0912345678", "full_name": "A", "commune_code": 99999}}, "commune_code"),
    ],
)
def test_a_value_the_schema_refuses_is_a_422_naming_the_field_and_saves_nothing(
    client, venue, commune_official, change, field
):
    """The schema states these rules (issue 12 §5), so they are refused by its validation."""
    response = _post(client, commune_official, "/api/v1/checkins", _body(venue, **change))
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]
    assert not CheckIn.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize("field", ["entered_at", "left_at"])
def test_a_time_without_its_offset_is_a_422_naming_the_field_and_saves_nothing(
    client, venue, commune_official, field
):
    body = _body(venue, **{field: "2026-01-01T08:00:00"})
    response = _post(client, commune_official, "/api/v1/checkins", body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field and "2026-11-25T08:30:00+07:00" in error["msg"]
    assert not CheckIn.objects.exists() and not Person.objects.exists()


def test_a_suspended_venue_still_takes_visits_from_before_its_suspension_and_refuses_new_ones(
    client, venue, commune_official
):
    venue_suspend(actor=commune_official, venue=venue, reason="Ổ dịch đang xử lý")
    before = (venue.suspended_at - timedelta(hours=3)).isoformat()
    synced = _post(client, commune_official, "/api/v1/checkins", _body(venue, entered_at=before))
    assert synced.status_code == 201
    after = (venue.suspended_at + timedelta(minutes=1)).isoformat()
    for body in (_body(venue), _body(venue, entered_at=after)):
        refused = _post(client, commune_official, "/api/v1/checkins", body)
        assert refused.status_code == 409
        assert refused.json()["detail"].startswith("Địa điểm này đã bị tạm dừng lúc")
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("status", ["pending", "rejected", "closed"])
def test_a_venue_that_is_not_active_takes_no_check_in(client, commune_official, status):
    venue = actors.make_venue("Quán mới", status=status)
    entered = (timezone.now() - timedelta(hours=1)).isoformat()
    response = _post(client, commune_official, "/api/v1/checkins", _body(venue, entered_at=entered))
    assert response.status_code == 409
    assert "không nhận lượt ra vào nào" in response.json()["detail"]
    assert not CheckIn.objects.exists()


def test_a_missing_person_is_a_422(client, venue, commune_official):
    response = _post(client, commune_official, "/api/v1/checkins", {"venue_code": venue.code})
    assert response.status_code == 422


def test_staff_of_venue_a_cannot_record_check_ins_at_venue_b(client, other_venue, venue_staff):
    response = _post(client, venue_staff, "/api/v1/checkins", _body(other_venue))
    assert response.status_code == 403 and not CheckIn.objects.exists()


def test_checkout_through_the_api(client, venue, venue_staff, make_checkin):
    checkin = make_checkin(venue, actors.make_person())
    response = _post(client, venue_staff, f"/api/v1/checkins/{checkin.pk}/checkout")
    assert response.status_code == 200 and response.json()["checkout_method"] == "api"
    checkin.refresh_from_db()
    assert checkin.left_at is not None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="an empty form"),
        pytest.param({"data": b"", "content_type": "application/json"}, id="zero bytes"),
        pytest.param({"data": {}, "content_type": "application/json"}, id="{}"),
    ],
)
def test_checkout_needs_no_body(client, venue, venue_staff, make_checkin, body):
    checkin = make_checkin(venue, actors.make_person())
    token = api_token_create(user=venue_staff)
    response = client.post(
        f"/api/v1/checkins/{checkin.pk}/checkout", headers={"Authorization": f"Bearer {token}"}, **body
    )
    assert response.status_code == 200, response.content
    checkin.refresh_from_db()
    assert checkin.left_at is not None and checkin.checkout_method == CheckOutMethod.API


def test_checkout_still_refuses_a_body_that_is_not_json(client, venue, venue_staff, make_checkin):
    checkin = make_checkin(venue, actors.make_person())
    response = _post(client, venue_staff, f"/api/v1/checkins/{checkin.pk}/checkout", "left_at=")
    assert response.status_code == 400
    checkin.refresh_from_db()
    assert checkin.left_at is None


def test_checkout_of_another_venues_check_in_is_not_found(client, other_venue, venue_staff, make_checkin):
    checkin = make_checkin(other_venue, actors.make_person())
    assert _post(client, venue_staff, f"/api/v1/checkins/{checkin.pk}/checkout").status_code == 404
    checkin.refresh_from_db()
    assert checkin.left_at is None


def test_the_venue_list_is_paginated_newest_first_and_audited(client, venue, commune_official, make_checkin):
    people = [actors.make_person(f"Người {i}", f"+8491234560{i}") for i in range(3)]
    for minutes, person in enumerate(people):
        make_checkin(venue, person, entered_at=timezone.now() - timedelta(minutes=10 - minutes))
    client.force_login(commune_official)
    response = client.get(f"/api/v1/venues/{venue.pk}/checkins?limit=2&offset=0")
    body = response.json()
    assert body["count"] == 3 and [item["full_name"] for item in body["items"]] == ["Người 2", "Người 1"]
    event = AuditEvent.objects.get(actor=commune_official, action="read", object_type="visitor_log")
    assert sorted(event.subjects.values_list("person_id", flat=True)) == sorted(p.pk for p in people[1:])


def test_the_venue_list_of_another_venue_is_not_found(client, venue, other_venue_staff):
    client.force_login(other_venue_staff)
    assert client.get(f"/api/v1/venues/{venue.pk}/checkins").status_code == 404


def test_a_limit_out_of_range_is_a_422(client, venue, commune_official):
    client.force_login(commune_official)
    assert client.get(f"/api/v1/venues/{venue.pk}/checkins?limit=5000").status_code == 422


def test_the_api_needs_authentication(client, venue):
    assert client.post("/api/v1/checkins", _body(venue), content_type="application/json").status_code == 401


@pytest.mark.parametrize("body", ["[null, null]", "[]", "42"])
def test_checkout_refuses_a_json_body_that_is_not_an_object(client, venue, venue_staff, make_checkin, body):
    checkin = make_checkin(venue, actors.make_person())
    response = _post(client, venue_staff, f"/api/v1/checkins/{checkin.pk}/checkout", body)
    assert response.status_code == 422, response.content
    checkin.refresh_from_db()
    assert checkin.left_at is None
