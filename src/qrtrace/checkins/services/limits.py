"""How often a phone and an address may try to check in."""

from django.conf import settings
from django.db import transaction

from qrtrace.lib.ratelimit import ratelimit_allow


def checkin_attempt_allow(*, ip: str, device: str | None) -> bool:
    """Take a token from this device's and this address's check-in buckets; False if either is empty.

    Called before anything is saved, so a refused attempt loses nothing. Per address the limit is
    generous (a market's visitors share one Wi-Fi address); a browser without a device cookie is
    counted by its CSRF cookie, which it must send with the form anyway.
    """
    # Both buckets in one transaction: one BEGIN and COMMIT per attempt, or inside the check-in's
    # own transaction (checkin_self_create) none of its own and no savepoint.
    with transaction.atomic(savepoint=False):
        if device and not ratelimit_allow(
            scope="checkin-device",
            key=device,
            limit=settings.QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE,
            period_seconds=60,
        ):
            return False
        return ratelimit_allow(
            scope="checkin-ip",
            key=ip,
            limit=settings.QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE,
            period_seconds=60,
        )
