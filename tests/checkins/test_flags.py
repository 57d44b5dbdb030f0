from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from qrtrace.accounts.services import api_token_create
from qrtrace.checkins.models import CheckIn, CheckInMethod, CheckOutMethod
from qrtrace.checkins.services.visits import checkin_checkout, checkin_create, checkins_expire
from qrtrace.checkins.views import receipt
from tests import actors

pytestmark = pytest.mark.django_db


def _yesterday(hour: int, minute: int = 0) -> datetime:
    """A local time yesterday: always in the past, and every hour of it on the same day."""
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(hour, minute)))


@pytest.fixture
def person(db):
    return actors.make_person()


def _create(venue, person, at, **fields):
    checkin, created = checkin_create(
        venue=venue, person=person, method=CheckInMethod.API, entered_at=at, **fields
    )
    assert created
    return checkin


def test_a_check_in_far_outside_opening_hours_is_kept_but_flagged(person):
    shop = actors.make_venue("Tạp hoá Lan", kind="shop", opens_at=time(8), closes_at=time(17))
    late = _create(shop, person, _yesterday(3))
    assert CheckIn.objects.filter(pk=late.pk, review_reason="outside_hours").exists()


def test_a_check_in_within_hours_and_the_two_hour_margin_is_not_flagged(person):
    shop = actors.make_venue("Tạp hoá Lan", kind="shop", opens_at=time(8), closes_at=time(17))
    assert _create(shop, person, _yesterday(6, 30)).review_reason == ""


def test_a_hospital_open_day_and_night_never_flags_the_hour(person):
    hospital = actors.make_venue("Bệnh viện Đa khoa", kind="hospital", always_open=True)
    assert _create(hospital, person, _yesterday(3)).review_reason == ""


def test_two_venues_in_different_communes_a_minute_apart_flag_the_second(person):
    first = actors.make_venue("Chợ Vườn Hoa", commune=actors.COMMUNE_A)
    far = actors.make_venue("Chợ Quảng Phú", commune=actors.COMMUNE_B)
    at = timezone.now() - timedelta(minutes=30)
    assert _create(first, person, at).review_reason == ""
    assert _create(far, person, at + timedelta(minutes=1)).review_reason == "impossible_sequence"


def test_neighbouring_venues_of_one_commune_or_visits_minutes_apart_are_not_flagged(person):
    market = actors.make_venue("Chợ Vườn Hoa", commune=actors.COMMUNE_A)
    shop_next_door = actors.make_venue("Tạp hoá Lan", commune=actors.COMMUNE_A, kind="shop")
    far = actors.make_venue("Chợ Quảng Phú", commune=actors.COMMUNE_B)
    at = timezone.now() - timedelta(minutes=30)
    _create(market, person, at)
    assert _create(shop_next_door, person, at + timedelta(seconds=30)).review_reason == ""
    assert _create(far, person, at + timedelta(minutes=10)).review_reason == ""


def test_a_late_synced_visit_just_before_one_in_another_commune_is_flagged_too(person):
    """Gate devices sync later: the order of arrival is not the order of the visits."""
    first = actors.make_venue("Chợ Vườn Hoa", commune=actors.COMMUNE_A)
    far = actors.make_venue("Chợ Quảng Phú", commune=actors.COMMUNE_B)
    at = timezone.now() - timedelta(minutes=30)
    _create(far, person, at)
    assert _create(first, person, at - timedelta(seconds=40)).review_reason == "impossible_sequence"


def test_a_flagged_check_in_costs_no_extra_query(person, django_assert_num_queries):
    first = actors.make_venue("Chợ Vườn Hoa", commune=actors.COMMUNE_A)
    far = actors.make_venue("Chợ Quảng Phú", commune=actors.COMMUNE_B, opens_at=time(8), closes_at=time(9))
    at = timezone.now() - timedelta(minutes=30)
    _create(first, person, at)
    with django_assert_num_queries(2):  # the person's recent check-ins, then the INSERT
        checkin = _create(far, person, at + timedelta(seconds=30))
    assert "impossible_sequence" in checkin.review_reason


def test_a_check_out_after_more_than_the_maximum_stay_is_flagged_long_stay(person, settings):
    settings.QRTRACE_TRACING_MAX_STAY_HOURS = 12
    venue = actors.make_venue()
    stay = _create(venue, person, timezone.now() - timedelta(hours=13))
    checkin_checkout(checkin=stay, method=CheckOutMethod.BUTTON)
    stay.refresh_from_db()
    assert stay.review_reason == "long_stay"


def test_an_api_visit_sent_with_a_long_stay_is_flagged(person):
    venue = actors.make_venue()
    start = timezone.now() - timedelta(hours=20)
    checkin = _create(venue, person, start, left_at=start + timedelta(hours=13))
    assert checkin.review_reason == "long_stay"


def test_the_automatic_check_out_of_a_venue_whose_usual_stay_exceeds_the_maximum_flags_the_visit(person):
    factory = actors.make_venue("Nhà máy Giày", kind="factory", default_stay_minutes=14 * 60)
    shop = actors.make_venue("Tạp hoá Lan", kind="shop", opens_at=time(8), closes_at=time(17))
    long_shift = _create(factory, person, timezone.now() - timedelta(hours=15))
    CheckIn.objects.filter(pk=long_shift.pk).update(review_reason="outside_hours")
    errand = _create(
        shop, actors.make_person("Trần Thị B", "+84987654321"), timezone.now() - timedelta(hours=1)
    )
    assert checkins_expire() == 2
    long_shift.refresh_from_db()
    errand.refresh_from_db()
    assert long_shift.review_reason == "outside_hours,long_stay"
    assert "long_stay" not in errand.review_reason


def test_the_visitor_log_filters_check_ins_that_need_review(client, commune_official, person):
    shop = actors.make_venue("Tạp hoá Lan", kind="shop", opens_at=time(8), closes_at=time(17))
    _create(shop, person, _yesterday(3))
    _create(shop, actors.make_person("Trần Văn Khoẻ", "+84987654321"), _yesterday(12))
    client.force_login(commune_official)
    day = _yesterday(3).date().isoformat()
    page = client.get(f"/visitors/{shop.code}?day_from={day}&review=on").content.decode()
    assert "Nguyễn Văn A" in page and "Trần Văn Khoẻ" not in page
    assert "Ngoài giờ mở cửa" in page  # the reason, in Vietnamese


def test_the_api_shows_officials_why_a_check_in_needs_review(client, commune_official, person):
    shop = actors.make_venue("Tạp hoá Lan", kind="shop", opens_at=time(8), closes_at=time(17))
    _create(shop, person, _yesterday(3))
    token = api_token_create(user=commune_official)
    response = client.get(f"/api/v1/venues/{shop.pk}/checkins", headers={"Authorization": f"Bearer {token}"})
    assert [item["review_reason"] for item in response.json()["items"]] == ["outside_hours"]


def test_the_check_in_receipt_links_to_the_my_data_page(client, person):
    checkin = _create(actors.make_venue(), person, timezone.now())
    assert 'href="/my-data"' in client.get(f"/c/{receipt([checkin])}").content.decode()


def test_the_automatic_check_out_closes_a_backlog_in_short_updates_each_committed_on_its_own(
    person, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qrtrace.checkins.services import visits

    shop = actors.make_venue("Tạp hoá Lan", kind="shop")
    for hours in range(3, 8):  # five visits left open, as after the worker was down for a while
        _create(shop, actors.make_person(f"Khách {hours}", f"+8498765430{hours}"), _yesterday(hours))
    monkeypatch.setattr(visits, "EXPIRE_CHUNK", 2)
    with CaptureQueriesContext(connection) as queries:
        assert checkins_expire() == 5
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # 2 + 2 + 1
    assert not CheckIn.objects.filter(venue=shop, left_at__isnull=True).exists()
    assert checkins_expire() == 0
