"""Remembered phones: a device token in a signed cookie lets the next scan offer "Check in as …?"."""

import secrets

from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.rows import row_insert
from qrtrace.people.models import Person

from ..models import Device


def device_register(*, person: Person) -> str:
    """A new device token for `person` (to keep in a signed cookie); only its hash is stored."""
    token = secrets.token_urlsafe(24)
    row_insert(Device(token_hash=lookup_hash("device", token), person=person))  # no save signals
    return token


def device_forget(*, token: str) -> None:
    Device.objects.filter(token_hash=lookup_hash("device", token)).delete()
