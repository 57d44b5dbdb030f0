"""Rate limiting in a plain database table (a token bucket per key, as healthchecks does).

A database table needs no extra service, survives restarts and is shared by every app server.
Each (scope, key) pair owns a bucket holding up to `limit` tokens; a request takes one, and the
bucket refills continuously at `limit` tokens per `period_seconds`.
"""

import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from qrtrace.lib.models import TokenBucket
from qrtrace.lib.rows import aware_utc

# A bucket idle this long is full again for any period up to a day, so deleting it changes nothing.
_IDLE = timedelta(days=1)


class Bucket(NamedTuple):
    """One (scope, key) pair's bucket and its rule: `limit` tokens, refilled over `period_seconds`."""

    scope: str
    key: str
    limit: int
    period_seconds: int


def ratelimit_allow(*, scope: str, key: str, limit: int, period_seconds: int) -> bool:
    """Take one token from the bucket of `key` within `scope`; False if it is empty."""
    return ratelimit_allow_all([Bucket(scope, key, limit, period_seconds)])


def ratelimit_allow_all(buckets: Sequence[Bucket]) -> bool:
    """Take one token from each bucket in turn; False at the first that is empty, whose successors
    are then left untouched (the tokens taken before it stay taken, as separate calls would leave
    them). The buckets' keys must differ."""
    for bucket in buckets:
        if bucket.limit < 1 or bucket.period_seconds < 1:
            raise ValueError("A rate limit needs limit >= 1 and period_seconds >= 1.")
    now = timezone.now()
    stored_now = connection.ops.adapt_datetimefield_value(now)
    # Plain statements built once, not the ORM's get_or_create and save compiled per call (most of
    # the cost, docs/benchmarks.md "The citizen's check-in"). No savepoint of its own: inside a
    # caller's transaction it joins it.
    if connection.vendor == "postgresql":
        # One statement for all the buckets: each statement is a round trip to a server on the same
        # cores, and a citizen's attempt (its phone's bucket and its address's) made four of them
        # with the transaction around them. Atomic alone; the upsert locks each row, so concurrent
        # requests for one key queue instead of both spending the same token.
        params = []
        for bucket in buckets:
            refill = [float(bucket.limit), float(bucket.limit), float(bucket.period_seconds)]
            params += [_bucket_key(bucket.scope, bucket.key), float(bucket.limit) - 1.0, stored_now]
            params += refill + refill
        with connection.cursor() as cursor:
            cursor.execute(_upsert_pg(len(buckets)), params)
            return cursor.fetchone()[0]
    select, insert, update = _statements()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # SQLite: the transaction (IMMEDIATE) holds the one write lock from its start, so no other
        # request reads or makes these buckets in between, and its statements cost no round trip.
        # (Its date functions keep milliseconds, not Django's microseconds: the refill is done here.)
        for bucket in buckets:
            bucket_key = _bucket_key(bucket.scope, bucket.key)
            cursor.execute(select, [bucket_key])
            row = cursor.fetchone()
            if row is None:
                # A new bucket, full, less this request's token.
                cursor.execute(insert, [bucket_key, float(bucket.limit) - 1.0, stored_now])
                continue
            tokens, updated = row[0], aware_utc(row[1])
            # Whole tokens, not healthchecks' fractions of 1.0: subtracting 1.0 is exact in floating
            # point, so the limit-th request is never refused by a rounding error.
            elapsed = max((now - updated).total_seconds(), 0.0)  # the clock may step back
            tokens = min(float(bucket.limit), tokens + elapsed * bucket.limit / bucket.period_seconds)
            if tokens < 1.0:
                # Nothing is written, so a flood of refused requests costs reads only.
                return False
            cursor.execute(update, [tokens - 1.0, stored_now, bucket_key])
    return True


# Each bucket taken on PostgreSQL: made full less this token, or refilled (to at most the limit, by
# the time since it was last taken, never less than nothing if the clock stepped back) and taken if
# a whole token is there. RETURNING answers only for a row inserted or updated, and each bucket after
# the first is taken only if the one before it answered.
_REFILLED = (
    "LEAST(%s, b.tokens + GREATEST(EXTRACT(EPOCH FROM EXCLUDED.updated - b.updated)::float8, 0) * %s / %s)"
)
_TAKE_PG = (
    "t{n} AS (INSERT INTO lib_tokenbucket AS b (key, tokens, updated) "
    "SELECT %s::varchar, %s::float8, %s::timestamptz {condition}"
    f"ON CONFLICT (key) DO UPDATE SET tokens = {_REFILLED} - 1.0, updated = EXCLUDED.updated "
    f"WHERE {_REFILLED} >= 1.0 RETURNING 1)"
)


@cache
def _upsert_pg(count: int) -> str:
    """The one statement taking `count` buckets in turn, answering whether the last was taken."""
    takes = [
        _TAKE_PG.format(n=n, condition=f"WHERE EXISTS (SELECT FROM t{n - 1}) " if n else "")
        for n in range(count)
    ]
    # Constant text: every value is a parameter.
    return f"WITH {', '.join(takes)} SELECT EXISTS (SELECT FROM t{count - 1})"  # noqa: S608


@cache
def _statements() -> tuple[str, str, str]:
    """On SQLite: SELECT, INSERT of a new bucket, UPDATE of a bucket's tokens."""
    quote = connection.ops.quote_name
    table, key, tokens, updated = map(quote, (TokenBucket._meta.db_table, "key", "tokens", "updated"))
    # Only the model's own quoted identifiers are formatted in; every value is a parameter.
    return (
        f"SELECT {tokens}, {updated} FROM {table} WHERE {key} = %s",  # noqa: S608
        f"INSERT INTO {table} ({key}, {tokens}, {updated}) VALUES (%s, %s, %s)",  # noqa: S608
        f"UPDATE {table} SET {tokens} = %s, {updated} = %s WHERE {key} = %s",  # noqa: S608
    )


def ratelimit_holds_rows() -> bool:
    """Whether a token taken inside a transaction keeps its bucket locked until that transaction ends
    (PostgreSQL: the upsert locks the bucket's row): a caller with a long transaction takes its
    tokens before it instead, or every request sharing a key (a market's Wi-Fi address) waits for the
    one before it to commit. On SQLite the transaction's write lock queues every writer anyway."""
    return connection.vendor == "postgresql"


def ratelimit_prune() -> int:
    """Delete buckets idle for more than a day; return how many were deleted."""
    deleted, _by_model = TokenBucket.objects.filter(updated__lt=timezone.now() - _IDLE).delete()
    return deleted


def _bucket_key(scope: str, key: str) -> str:
    # Keyed, not a bare SHA-256: every IPv4 address or 9-digit phone number can be hashed in
    # minutes, which would make a bare hash of them as readable as the raw value.
    message = f"{scope}\x00{key}".encode("utf-8", "surrogatepass")
    return hmac.new(settings.QRTRACE_LOOKUP_KEY, b"ratelimit\x00" + message, hashlib.sha256).hexdigest()
