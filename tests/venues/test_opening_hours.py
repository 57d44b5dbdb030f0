from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from qrtrace.venues.models import Venue
from tests import actors

pytestmark = pytest.mark.django_db

TWO_HOURS = timedelta(hours=2)


def _local(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, 20, hour, minute))


@pytest.mark.parametrize(
    ("hour", "minute", "flagged"),
    [(5, 59, True), (6, 0, False), (12, 0, False), (19, 0, False), (19, 1, True), (3, 0, True)],
)
def test_a_day_venue_flags_only_times_more_than_two_hours_outside_its_hours(hour, minute, flagged):
    shop = Venue(opens_at=time(8), closes_at=time(17))
    assert shop.far_outside_hours(_local(hour, minute), margin=TWO_HOURS) is flagged


@pytest.mark.parametrize(
    ("hour", "flagged"), [(23, False), (3, False), (4, False), (5, True), (12, True), (15, False)]
)
def test_hours_past_midnight_wrap_around(hour, flagged):
    bar = Venue(opens_at=time(17), closes_at=time(2))
    assert bar.far_outside_hours(_local(hour), margin=TWO_HOURS) is flagged


@pytest.mark.parametrize(
    "venue", [Venue(always_open=True), Venue(), Venue(opens_at=time(6), closes_at=time(3))]
)
def test_always_open_unknown_or_nearly_round_the_clock_hours_flag_nothing(venue):
    assert not any(venue.far_outside_hours(_local(hour), margin=TWO_HOURS) for hour in range(24))


def test_an_official_sets_opening_hours_on_the_venue_form(client, commune_official):
    venue = actors.make_venue()
    client.force_login(commune_official)
    form = {"name": venue.name, "kind": venue.kind, "address": venue.address, "contact_phone": ""}
    response = client.post(f"/venues/{venue.pk}/edit", form | {"opens_at": "07:30", "closes_at": "21:00"})
    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.opens_at, venue.closes_at, venue.always_open) == (time(7, 30), time(21), False)
    client.post(f"/venues/{venue.pk}/edit", form | {"always_open": "on"})
    venue.refresh_from_db()
    assert (venue.opens_at, venue.closes_at, venue.always_open) == (None, None, True)


def test_only_one_of_the_two_times_is_explained_in_vietnamese(client, commune_official):
    venue = actors.make_venue()
    client.force_login(commune_official)
    form = {"name": venue.name, "kind": venue.kind, "address": venue.address, "opens_at": "07:30"}
    response = client.post(f"/venues/{venue.pk}/edit", form)
    assert response.status_code == 400
    assert "Nhập cả giờ mở cửa và giờ đóng cửa" in response.content.decode()
    venue.refresh_from_db()
    assert venue.opens_at is None


def test_the_api_creates_and_patches_opening_hours(client, commune_official, bearer):
    headers = bearer(commune_official)
    created = client.post(
        "/api/v1/venues",
        {
            "name": "Bệnh viện Đa khoa",
            "kind": "hospital",
            "commune_code": actors.COMMUNE_A,
            "address": "181 Hải Thượng Lãn Ông",
            "always_open": True,
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["always_open"] is True
    venue_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/venues/{venue_id}",
        {"always_open": False, "opens_at": "07:00", "closes_at": "17:30"},
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 200
    assert (patched.json()["opens_at"], patched.json()["closes_at"]) == ("07:00:00", "17:30:00")
    cleared = client.patch(
        f"/api/v1/venues/{venue_id}",
        {"opens_at": None, "closes_at": None},
        content_type="application/json",
        headers=headers,
    )
    assert (cleared.json()["opens_at"], cleared.json()["closes_at"]) == (None, None)


@pytest.mark.parametrize(
    "change",
    [
        {"always_open": True},  # while it has hours
        {"opens_at": "09:00", "closes_at": "09:00"},
    ],
)
def test_contradictory_hours_through_the_api_are_a_400_and_change_nothing(
    client, commune_official, bearer, change
):
    venue = actors.make_venue(opens_at=time(8), closes_at=time(17))
    response = client.patch(
        f"/api/v1/venues/{venue.pk}",
        change,
        content_type="application/json",
        headers=bearer(commune_official),
    )
    assert response.status_code == 400, response.content
    venue.refresh_from_db()
    assert (venue.opens_at, venue.closes_at, venue.always_open) == (time(8), time(17), False)


def test_an_opening_time_with_an_offset_is_refused_by_the_schema_which_says_local_time(
    client, commune_official, bearer
):
    venue = actors.make_venue(opens_at=time(8), closes_at=time(17))
    response = client.patch(
        f"/api/v1/venues/{venue.pk}",
        {"opens_at": "09:00+07:00"},
        content_type="application/json",
        headers=bearer(commune_official),
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "opens_at"
    venue.refresh_from_db()
    assert venue.opens_at == time(8)
    declared = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["VenuePatch"]
    assert "pattern" in str(declared["properties"]["opens_at"])


def test_the_venue_page_shows_the_opening_hours(client, commune_official):
    venue = actors.make_venue(opens_at=time(6, 30), closes_at=time(18))
    client.force_login(commune_official)
    assert "Giờ mở cửa: 06:30–18:00" in client.get(f"/venues/{venue.pk}").content.decode()
