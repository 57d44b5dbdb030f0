"""The personal QR code: `P:<code>.<signature>`, shown on a phone or printed on a card.

`code` is random and stored on the Person, so the token carries no personal data and not even a
database id; reissuing replaces the code (every old card stops working), revoking clears it.
Characters stay within QR alphanumeric mode so a card prints as a small, easily scanned code.
"""

import segno

from qrtrace.lib.signing import BadSignature, random_code, sign, unsign
from qrtrace.people.models import Person

PURPOSE = "person"
PREFIX = "P:"
CODE_LENGTH = 10
SIGNATURE_LENGTH = 10


class InvalidPersonalCode(Exception):
    """A scanned personal code that is malformed, forged, revoked or replaced."""


def new_personal_code() -> str:
    return random_code(CODE_LENGTH)


def personal_token(person: Person) -> str:
    if not person.personal_code:
        raise InvalidPersonalCode("revoked")
    signature = sign(person.personal_code, purpose=PURPOSE, length=SIGNATURE_LENGTH)
    return f"{PREFIX}{person.personal_code}.{signature}"


def person_from_token(token: str) -> Person:
    """The person a scanned token belongs to; raise InvalidPersonalCode otherwise."""
    body = token.strip().upper()
    if not body.startswith(PREFIX):
        raise InvalidPersonalCode("malformed")
    code, _dot, signature = body.removeprefix(PREFIX).partition(".")
    if len(code) != CODE_LENGTH:
        raise InvalidPersonalCode("malformed")
    try:
        # Checked before the lookup, so forged codes cost an HMAC and never a query.
        unsign(code, signature, purpose=PURPOSE, length=SIGNATURE_LENGTH)
    except BadSignature as exc:
        raise InvalidPersonalCode(exc.reason) from None
    person = Person.objects.filter(personal_code=code).first()
    if person is None:
        raise InvalidPersonalCode("revoked")
    return person


def personal_qr_svg(person: Person) -> str:
    """The code as an inline SVG (no request for an image, no personal data in any URL)."""
    return segno.make(personal_token(person), error="m").svg_inline(scale=6, border=2)
