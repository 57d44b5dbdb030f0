"""One format for times, dates and phones on pages, in exports and in PDFs (lib.display)."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template

from qrtrace.lib.display import date_text, datetime_text, phone_text, time_text

SRC = Path(__file__).resolve().parents[2] / "src" / "qrtrace"
# The citizen check-in page is being reworked on its own branch (issue 13, "Citizen check-in"); it
# switches to the filters when that work lands.
NOT_YET = {"checkins/templates/checkins/scan.html"}


def test_a_moment_is_written_day_month_year_hours_minutes_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    moment = datetime(2026, 3, 1, 17, 5, tzinfo=UTC)  # 00:05 on 2 March in Vietnam
    assert datetime_text(moment) == "02/03/2026 00:05"
    assert date_text(moment) == "02/03/2026" and time_text(moment) == "00:05"
    assert date_text(date(2026, 12, 31)) == "31/12/2026"
    assert datetime_text(None) == date_text(None) == ""


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+84901234567", "090 123 4567"), ("+842373852123", "0237 385 2123"), (None, ""), ("", "")],
)
def test_a_phone_is_written_in_the_national_groups(stored, shown):
    assert phone_text(stored) == shown


def test_every_template_has_the_filters_without_loading_them():
    page = Template("{{ at|when }} · {{ at|day }} · {{ at|hhmm }} · {{ phone|phone }}")
    at = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    text = page.render(Context({"at": at, "phone": "+84912345678"}))
    assert text == f"{datetime_text(at)} · {date_text(at)} · {time_text(at)} · 091\u00a0234\u00a05678"


def test_no_template_writes_a_date_or_time_its_own_way():
    """`|date:"…"` and `|time:"…"` gave "02-03-2026", "02/03 14:05" and "14:05 02/03/2026" on
    different pages; every page now goes through lib.display's filters."""
    own = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in SRC.glob("**/templates/**/*.html")
        if str(path.relative_to(SRC)) not in NOT_YET
        for match in re.finditer(r'\|(date|time):"[^"]*"', path.read_text())
        if match.group(0) != '|date:"d/m"'  # a chart's day labels: the short form on purpose
    ]
    assert own == []
