"""`{{ moment|when }}`, `{{ day|day }}`, `{{ moment|hhmm }}` and `{{ phone|phone }}`: lib.display's
one format, built into every template (settings.TEMPLATES "builtins")."""

from django import template

from qrtrace.lib.display import date_text, datetime_text, phone_text, time_text

register = template.Library()
register.filter("when", datetime_text)
register.filter("day", date_text)
register.filter("hhmm", time_text)


@register.filter("phone")
def phone(value: str | None) -> str:
    # On a page a number never breaks across lines (no-break spaces); files keep plain spaces.
    return phone_text(value).replace(" ", "\u00a0")
