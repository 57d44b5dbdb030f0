import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from qrtrace.lib.models import TokenBucket
from qrtrace.lib.ratelimit import Bucket, ratelimit_allow, ratelimit_allow_all, ratelimit_prune
from tests.threads import at_once

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock.now):
        yield clock


def allow(key: str = "203.0.113.7", *, scope: str = "checkin", limit: int = 3, period: int = 60) -> bool:
    return ratelimit_allow(scope=scope, key=key, limit=limit, period_seconds=period)


def allowed_in_a_row(**kwargs) -> int:
    count = 0
    while allow(**kwargs):
        count += 1
    return count


@pytest.mark.parametrize("limit", [1, 3, 7, 10, 49, 100])
def test_a_limit_of_n_allows_exactly_n_requests_then_refuses(clock, limit):
    assert allowed_in_a_row(limit=limit) == limit
    assert allow(limit=limit) is False


def test_one_token_comes_back_after_period_divided_by_limit(clock):
    allowed_in_a_row(limit=3, period=60)
    clock.advance(seconds=19)
    assert allow() is False
    clock.advance(seconds=1)
    assert allow() is True
    assert allow() is False


def test_a_full_period_refills_the_bucket_but_never_beyond_the_limit(clock):
    allowed_in_a_row(limit=3, period=60)
    clock.advance(hours=5)
    assert allowed_in_a_row(limit=3, period=60) == 3


def test_refused_requests_do_not_delay_the_refill(clock):
    allowed_in_a_row(limit=3, period=60)
    for _ in range(10):
        clock.advance(seconds=1)
        assert allow() is False
    clock.advance(seconds=10)  # 20 s since the last allowed request
    assert allow() is True


def test_a_clock_stepping_back_adds_no_tokens(clock):
    allowed_in_a_row(limit=3, period=60)
    clock.advance(seconds=-3600)
    assert allow() is False


def test_different_keys_have_separate_buckets(clock):
    allowed_in_a_row(key="203.0.113.7")
    assert allow(key="203.0.113.8") is True


def test_different_scopes_have_separate_buckets(clock):
    allowed_in_a_row(scope="checkin")
    assert allow(scope="login") is True


def test_the_stored_key_reveals_neither_the_ip_nor_the_phone(clock):
    allow(key="203.0.113.7", scope="checkin")
    allow(key="+84912345678", scope="otp")
    stored = list(TokenBucket.objects.values_list("key", flat=True))
    assert len(stored) == 2
    for key in stored:
        assert "203.0.113" not in key
        assert "912345678" not in key
        assert len(key) == 64
        assert re.fullmatch("[0-9a-f]{64}", key), key  # an HMAC-SHA256 hex digest, nothing else


def test_the_stored_key_depends_on_a_server_secret(clock):
    # A bare hash of an IPv4 address is reversed by hashing all 2**32 of them.
    allow(key="203.0.113.7")
    with override_settings(QRTRACE_LOOKUP_KEY=b"another secret"):
        allow(key="203.0.113.7")
    assert TokenBucket.objects.count() == 2


def test_buckets_taken_together_each_give_a_token(clock):
    phone, address = Bucket("device", "d1", 3, 60), Bucket("ip", "203.0.113.7", 5, 60)
    assert ratelimit_allow_all([phone, address]) is True
    assert ratelimit_allow_all([phone, address]) is True
    assert allowed_in_a_row(scope="device", key="d1") == 1
    assert allowed_in_a_row(scope="ip", key="203.0.113.7", limit=5) == 3


def test_an_empty_first_bucket_leaves_the_next_untouched(clock):
    allowed_in_a_row(scope="device", key="d1")
    assert ratelimit_allow_all([Bucket("device", "d1", 3, 60), Bucket("ip", "203.0.113.7", 3, 60)]) is False
    assert TokenBucket.objects.count() == 1  # the address's bucket was not even made
    assert allowed_in_a_row(scope="ip", key="203.0.113.7") == 3


def test_an_empty_later_bucket_refuses_and_the_earlier_token_stays_taken(clock):
    allowed_in_a_row(scope="ip", key="203.0.113.7")
    assert ratelimit_allow_all([Bucket("device", "d1", 3, 60), Bucket("ip", "203.0.113.7", 3, 60)]) is False
    assert allowed_in_a_row(scope="device", key="d1") == 2  # as two separate calls would have left it


def test_buckets_taken_together_refill_as_each_alone(clock):
    buckets = [Bucket("device", "d1", 2, 60), Bucket("ip", "203.0.113.7", 4, 60)]
    assert [ratelimit_allow_all(buckets) for _ in range(3)] == [True, True, False]
    # The address gave two tokens (the phone's refusal spared it a third); 30 s bring one back for
    # the phone (2 a minute) and two for the address (4 a minute): full again.
    clock.advance(seconds=30)
    assert [ratelimit_allow_all(buckets) for _ in range(2)] == [True, False]
    assert allowed_in_a_row(scope="ip", key="203.0.113.7", limit=4) == 3


@pytest.mark.postgres
def test_on_postgresql_buckets_taken_together_are_one_statement(clock):
    buckets = [Bucket("device", "d1", 3, 60), Bucket("ip", "203.0.113.7", 3, 60), Bucket("x", "y", 3, 60)]
    with CaptureQueriesContext(connection) as queries:
        assert ratelimit_allow_all(buckets) is True
    assert len(queries.captured_queries) == 1
    assert TokenBucket.objects.count() == 3


@pytest.mark.parametrize(("limit", "period"), [(0, 60), (3, 0), (-1, 60)])
def test_a_limit_or_period_below_one_is_a_programming_error(clock, limit, period):
    with pytest.raises(ValueError, match="limit >= 1"):
        allow(limit=limit, period=period)


def test_pruning_deletes_buckets_idle_for_more_than_a_day_only(clock):
    allow(key="old")
    clock.advance(hours=12)
    allow(key="recent")
    clock.advance(hours=12, seconds=1)
    assert ratelimit_prune() == 1
    assert list(TokenBucket.objects.values_list("updated", flat=True)) == [START + dt.timedelta(hours=12)]
    assert ratelimit_prune() == 0


def test_a_pruned_bucket_starts_full_again(clock):
    allowed_in_a_row()
    clock.advance(days=2)
    ratelimit_prune()
    assert TokenBucket.objects.count() == 0
    assert allowed_in_a_row() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bucket", ["new", "known"])
def test_requests_racing_for_one_key_spend_each_token_once(bucket):
    """On PostgreSQL the bucket is taken by one upsert: its row lock (or, for a bucket not made yet,
    the unique key) queues requests racing for it, each on its own connection."""
    limit, racers = 5, 16
    if bucket == "known":
        assert allow(limit=limit) is True  # made, one token taken
    answers = at_once([lambda: allow(limit=limit)] * racers)
    assert answers.count(True) == (limit if bucket == "new" else limit - 1)
    assert TokenBucket.objects.count() == 1
