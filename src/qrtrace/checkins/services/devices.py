"""Remembered phones: a device token in a signed cookie lets the next scan offer "Check in as …?" and
shows the person's QR cards and family (`/me/qr`).

A phone is remembered as a person only when its declaration created them (`DeviceTrust.CREATED`) or
after it proved their phone number by an SMS code (`DeviceTrust.SMS`, privacy's "my data" pages):
typing someone's phone number and name proves nothing (issue 12).
"""

import secrets

from django.db import transaction

from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.rows import row_insert
from qrtrace.people.models import Person

from ..models import Device, DeviceTrust


def device_register(*, person: Person, trust: str) -> str:
    """A new device token for `person` (to keep in a signed cookie); only its hash is stored.

    `trust` says why this phone may act as them (a `DeviceTrust` other than NONE): the caller has
    established it. Proving the phone by SMS forgets the person's other phones that were remembered
    without proof, so a phone that declared a person before the real one proved their number loses
    them.
    """
    if trust not in (DeviceTrust.CREATED, DeviceTrust.SMS):
        raise ValueError(f"a device is remembered only with a reason to trust it, not {trust!r}")
    token = secrets.token_urlsafe(24)
    with transaction.atomic(savepoint=False):  # inside a check-in's transaction it joins it
        if trust == DeviceTrust.SMS:
            Device.objects.filter(person=person).exclude(trust=DeviceTrust.SMS).delete()
        row_insert(Device(token_hash=lookup_hash("device", token), person=person, trust=trust))  # no signals
    return token


def device_forget(*, token: str) -> None:
    Device.objects.filter(token_hash=lookup_hash("device", token)).delete()
