"""How the site writes a time, a date and a phone number: one format everywhere, on pages (the
template filters `when`, `day` and `phone`, built into every template), in exports and in PDFs.

Times are local to the deployment: `dd/mm/yyyy HH:MM`, as Vietnamese forms write them. Phones are
written the national way in groups, as officials dial them: `090 123 4567` (landlines 4-3-4).
"""

from datetime import date, datetime

from django.utils import timezone

from .identity import national_phone

DATETIME_FORMAT = "%d/%m/%Y %H:%M"  # 02/03/2026 14:05
DATE_FORMAT = "%d/%m/%Y"
TIME_FORMAT = "%H:%M"


def datetime_text(value: datetime | None) -> str:
    """`dd/mm/yyyy HH:MM` in local time; "" for none."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATETIME_FORMAT)


def date_text(value: date | datetime | None) -> str:
    """`dd/mm/yyyy`; "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATE_FORMAT)


def time_text(value: datetime | None) -> str:
    """`HH:MM` in local time; "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(TIME_FORMAT)


def phone_text(phone: str | None) -> str:
    """A stored number (`+84901234567`) as people read it: `090 123 4567`; "" for none."""
    national = national_phone(phone)
    if len(national) == 10:
        return f"{national[:3]} {national[3:6]} {national[6:]}"
    if len(national) == 11:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national
