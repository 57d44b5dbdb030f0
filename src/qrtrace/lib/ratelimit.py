"""Rate limiting in a plain database table (a token bucket per key, as healthchecks does).

A database table needs no extra service, survives restarts and is shared by every app server.
Each (scope, key) pair owns a bucket holding up to `limit` tokens; a request takes one, and the
bucket refills continuously at `limit` tokens per `period_seconds`.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qrtrace.lib.models import TokenBucket

# A bucket idle this long is full again for any period up to a day, so deleting it changes nothing.
_IDLE = timedelta(days=1)


def ratelimit_allow(*, scope: str, key: str, limit: int, period_seconds: int) -> bool:
    """Take one token from the bucket of `key` within `scope`; False if it is empty."""
    if limit < 1 or period_seconds < 1:
        raise ValueError("A rate limit needs limit >= 1 and period_seconds >= 1.")
    now = timezone.now()
    with transaction.atomic():
        # The row lock makes concurrent requests for one key queue up instead of both spending
        # the same token (SQLite has no row locks; its IMMEDIATE transactions serialise writers).
        bucket, _created = TokenBucket.objects.select_for_update().get_or_create(
            key=_bucket_key(scope, key), defaults={"tokens": float(limit), "updated": now}
        )
        # Whole tokens, not healthchecks' fractions of 1.0: subtracting 1.0 is exact in floating
        # point, so the limit-th request is never refused by a rounding error.
        elapsed = max((now - bucket.updated).total_seconds(), 0.0)  # the clock may step back
        tokens = min(float(limit), bucket.tokens + elapsed * limit / period_seconds)
        if tokens < 1.0:
            # Nothing is written, so a flood of refused requests costs reads only.
            return False
        bucket.tokens = tokens - 1.0
        bucket.updated = now
        bucket.save(update_fields=["tokens", "updated"])
    return True


def ratelimit_prune() -> int:
    """Delete buckets idle for more than a day; return how many were deleted."""
    deleted, _by_model = TokenBucket.objects.filter(updated__lt=timezone.now() - _IDLE).delete()
    return deleted


def _bucket_key(scope: str, key: str) -> str:
    # Keyed, not a bare SHA-256: every IPv4 address or 9-digit phone number can be hashed in
    # minutes, which would make a bare hash of them as readable as the raw value.
    message = f"{scope}\x00{key}".encode("utf-8", "surrogatepass")
    return hmac.new(settings.QRTRACE_LOOKUP_KEY, b"ratelimit\x00" + message, hashlib.sha256).hexdigest()
