"""The link printed on a venue's poster, `<base>/v/<code>.<signature>`, and its verification.

The signature covers `code:qr_version`, so rotating a venue's code (new version) or revoking it
(new version, no grace) invalidates old posters without any list of bad codes. Verification costs
at most two HMACs and, every few seconds per venue, one indexed lookup: it runs on every scan.
"""

import io
from datetime import datetime

import segno
from django.conf import settings
from django.utils import timezone

from qrtrace.lib.signing import BadSignature, sign, unsign

from .models import Venue, VenueStatus
from .selectors import venue_by_code

PURPOSE = "venue"
CODE_LENGTH = 7
SIGNATURE_LENGTH = 10


class InvalidVenueCode(Exception):
    """A scanned code that must not lead to a check-in. `status` is 404 (never valid) or 410 (was)."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def venue_token(venue: Venue) -> str:
    signature = sign(f"{venue.code}:{venue.qr_version}", purpose=PURPOSE, length=SIGNATURE_LENGTH)
    return f"{venue.code}.{signature}"


def venue_checkin_url(venue: Venue) -> str:
    return f"{settings.PUBLIC_BASE_URL}/v/{venue_token(venue)}"


def venue_qr(venue: Venue) -> segno.QRCode:
    """The poster's QR symbol: byte mode at level M at least (segno raises it when that costs
    nothing), which keeps the link at version 4 or below for a base URL up to 40 characters."""
    return segno.make(venue_checkin_url(venue), error="m", micro=False)


def venue_qr_image(venue: Venue, *, kind: str) -> bytes:
    """The QR alone as `svg` or `png`, with the standard 4-module quiet zone."""
    out = io.BytesIO()
    venue_qr(venue).save(out, kind=kind, scale=10, border=4)
    return out.getvalue()


def venue_from_token(token: str, *, now: datetime | None = None) -> Venue:
    """The active venue a scanned token belongs to; raise InvalidVenueCode otherwise."""
    code, _dot, signature = token.strip().upper().partition(".")
    if not code or not signature or len(code) > 12:
        raise InvalidVenueCode("malformed", 404)
    venue = venue_by_code(code)  # kept for a few seconds: the page's GET and POST read it once
    if venue is None:
        raise InvalidVenueCode("unknown", 404)
    if not _signed_version_ok(venue, signature, now or timezone.now()):
        raise InvalidVenueCode("bad_signature", 404)
    if venue.status in (VenueStatus.SUSPENDED, VenueStatus.CLOSED):
        raise InvalidVenueCode(venue.status, 410)
    if venue.status != VenueStatus.ACTIVE:
        raise InvalidVenueCode(venue.status, 404)
    return venue


def _signed_version_ok(venue: Venue, signature: str, now: datetime) -> bool:
    versions = [venue.qr_version]
    if venue.qr_grace_until and now < venue.qr_grace_until and venue.qr_version > 1:
        versions.append(venue.qr_version - 1)
    for version in versions:
        try:
            unsign(f"{venue.code}:{version}", signature, purpose=PURPOSE, length=SIGNATURE_LENGTH)
        except BadSignature:
            continue
        return True
    return False
