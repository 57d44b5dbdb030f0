import segno
from django.conf import settings
from django.core.checks import Error

from .qr import CODE_LENGTH, SIGNATURE_LENGTH

MAX_QR_VERSION = 4


def qr_fits_version_4(app_configs, **kwargs) -> list[Error]:
    """A long QRTRACE_PUBLIC_BASE_URL would make posters denser than cheap phones scan from 1 m."""
    longest = f"{settings.PUBLIC_BASE_URL}/v/{'W' * CODE_LENGTH}.{'9' * (SIGNATURE_LENGTH + 1)}"
    version = segno.make(longest, error="m", micro=False).version
    if version <= MAX_QR_VERSION:
        return []
    return [
        Error(
            f"QRTRACE_PUBLIC_BASE_URL is too long: poster QR codes would be version {version}, above 4.",
            hint="Use a shorter host name, such as https://qr.syt.<province>.gov.vn (at most 40 characters).",
            id="venues.E001",
        )
    ]
