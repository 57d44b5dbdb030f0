"""Signed links: the self-report page of an order (sent by SMS) and a certificate's verification
page (its QR). The link is the key: no login, so the signature is long enough not to be guessed."""

from django.conf import settings
from django.urls import reverse

from qrtrace.lib.signing import BadSignature, sign, unsign

REPORT_PURPOSE = "quarantine-self-report"
CERTIFICATE_PURPOSE = "quarantine-certificate"
LENGTH = 16  # 80 bits


def report_signature(order_id: int) -> str:
    return sign(str(order_id), purpose=REPORT_PURPOSE, length=LENGTH)


def report_url(order_id: int) -> str:
    path = reverse("quarantine:self_report", kwargs={"order_id": order_id, "sig": report_signature(order_id)})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def report_signature_ok(order_id: int, signature: str) -> bool:
    try:
        unsign(str(order_id), signature, purpose=REPORT_PURPOSE, length=LENGTH)
    except BadSignature:
        return False
    return True


def certificate_signature(number: str) -> str:
    return sign(number, purpose=CERTIFICATE_PURPOSE, length=LENGTH)


def certificate_url(number: str) -> str:
    path = reverse("quarantine:verify", kwargs={"number": number, "sig": certificate_signature(number)})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def certificate_signature_ok(number: str, signature: str) -> bool:
    try:
        unsign(number, signature, purpose=CERTIFICATE_PURPOSE, length=LENGTH)
    except BadSignature:
        return False
    return True
