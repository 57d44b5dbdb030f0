"""Short signatures for QR tokens.

Venue posters and personal QR codes must stay at QR version 4 or below to scan from a cheap phone
across a room, so signatures are a handful of Crockford base32 characters: digits and capitals
only, which fit QR alphanumeric mode and survive scanners that change the case.
A signature is `<key version digit><HMAC chars>`; the version lets keys rotate, and removing a
version from QRTRACE_SIGNING_KEYS retires every code signed with it.
"""

import base64
import hashlib
import hmac
import re
import secrets
from typing import Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread
_FROM_RFC4648 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)
_WELL_FORMED = re.compile(f"[1-9][{ALPHABET}]*")  # key version 1..9, then the HMAC characters
# Below 30 bits a signature can be guessed online; 51 characters use up a SHA-256 digest.
MIN_LENGTH, MAX_LENGTH = 6, 51

Reason = Literal["malformed", "unknown_key", "bad_signature"]


class BadSignature(Exception):
    """The signature does not authenticate the value; `.reason` says why, for logs and metrics."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


def random_code(length: int) -> str:
    """Return `length` unpredictable characters from the QR-friendly alphabet."""
    if length < 1:
        raise ValueError("random_code length must be at least 1.")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def sign(value: str, *, purpose: str, key_version: int | None = None, length: int = 10) -> str:
    """Return the signature of `value` for `purpose`, with the key version as its first character."""
    _check_length(length)
    version = settings.QRTRACE_SIGNING_KEY_VERSION if key_version is None else key_version
    if version not in range(1, 10) or version not in settings.QRTRACE_SIGNING_KEYS:
        raise ImproperlyConfigured(f"No QR signing key with version {version!r}.")
    return f"{version}{_digest(value, purpose=purpose, version=version, length=length)}"


def unsign(value: str, signature: str, *, purpose: str, length: int = 10) -> int:
    """Return the key version that signed `value` for `purpose`; raise BadSignature otherwise."""
    _check_length(length)
    if not isinstance(value, str) or not isinstance(signature, str):
        raise BadSignature("malformed")
    # ASCII first: str.upper() maps some other letters onto ours ("ſ" -> "S").
    if not signature.isascii():
        raise BadSignature("malformed")
    signature = signature.upper()
    if len(signature) != 1 + length or not _WELL_FORMED.fullmatch(signature):
        raise BadSignature("malformed")
    version, chars = int(signature[0]), signature[1:]
    if version not in settings.QRTRACE_SIGNING_KEYS:
        raise BadSignature("unknown_key")
    expected = _digest(value, purpose=purpose, version=version, length=length)
    if not hmac.compare_digest(expected, chars):
        raise BadSignature("bad_signature")
    return version


def _digest(value: str, *, purpose: str, version: int, length: int) -> str:
    # One key per purpose, so a signature made for one kind of token is never valid for another.
    purpose_key = hmac.new(
        settings.QRTRACE_SIGNING_KEYS[version], b"qrtrace.signing\x00" + purpose.encode(), hashlib.sha256
    ).digest()
    # surrogatepass: a lone surrogate in scanned text must fail the comparison, not crash.
    mac = hmac.new(purpose_key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
    return base64.b32encode(mac).decode().translate(_FROM_RFC4648)[:length]


def _check_length(length: int) -> None:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"Signature length must be between {MIN_LENGTH} and {MAX_LENGTH}.")
