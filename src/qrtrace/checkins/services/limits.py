"""How often a phone and an address may try to check in."""

from django.conf import settings

from qrtrace.lib.ratelimit import Bucket, ratelimit_allow_all


def checkin_attempt_allow(*, ip: str, device: str | None) -> bool:
    """Take a token from this device's and this address's check-in buckets; False if either is empty.

    Called before anything is saved, so a refused attempt loses nothing. Per address the limit is
    generous (a market's visitors share one Wi-Fi address); a browser without a device cookie is
    counted by its CSRF cookie, which it must send with the form anyway.
    """
    address = Bucket("checkin-ip", ip, settings.QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE, 60)
    if not device:
        return ratelimit_allow_all([address])
    phone = Bucket("checkin-device", device, settings.QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE, 60)
    return ratelimit_allow_all([phone, address])
