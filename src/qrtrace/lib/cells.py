"""CSV and XLSX exports whose cells can never run as spreadsheet formulas.

Names, addresses and declarations are typed by the public; an export opened by an official must
not turn `=HYPERLINK(...)` or `@SUM(...)` into something that runs (OWASP "CSV injection").
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .display import datetime_text

# Characters with which Excel, LibreOffice and Google Sheets start a formula or a DDE call.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BOM = "\ufeff"  # without it Excel reads UTF-8 CSV as the locale code page and garbles Vietnamese
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
_SHEET_TITLE_MAX = 31  # Excel's limit
# CSV lines per chunk of a streamed response: the server and Django spend a little on each chunk,
# which one line at a time made a large part of an export's cost (docs/benchmarks.md, "Exports").
_BATCH = 500


def safe_cell(value: Any) -> Any:
    """Return `value` made inert: a formula-like string gets a leading apostrophe, None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, Promise):  # lazily translated headers and footers
        value = str(value)
    if isinstance(value, str) and _starts_a_formula(value):
        return "'" + value
    return value


def _starts_a_formula(value: str) -> bool:
    # Invisible format characters (a zero-width space, a byte-order mark, direction marks) are skipped
    # and the first visible one is compared in its compatibility form: spreadsheets read a full-width
    # "＝" or a "﹢" as the formula sign, and a filter on the plain "=" alone would let them through.
    for char in value:
        if unicodedata.category(char) != "Cf":
            return unicodedata.normalize("NFKC", char).startswith(_FORMULA_STARTS)
    return False


class _Line:
    """A file-like object whose write() hands the CSV line back, so csv.writer can stream."""

    def write(self, line: str) -> str:
        return line


def provenance(*, exported_by: str, purpose: str) -> str:
    """The footer line every export carries: who exported it, when, and the purpose they stated."""
    return _("Exported by %(user)s at %(at)s. Purpose: %(purpose)s") % {
        "user": exported_by,
        "at": datetime_text(timezone.now()),
        "purpose": purpose,
    }


def csv_rows(
    header: list[str], rows: Iterable[Sequence[Any]], footer: Sequence[str], *, batch: int = _BATCH
) -> Iterator[str]:
    """Yield CSV text for a StreamingHttpResponse: the header line at once, then the rows `batch`
    lines at a time, then a blank line and the footer. Rows are read only as the text is sent."""
    writer = csv.writer(_Line())
    yield _BOM + writer.writerow([safe_cell(cell) for cell in header])
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([_csv_cell(cell) for cell in row]))
        if len(lines) == batch:
            yield "".join(lines)
            lines = []
    if footer:
        lines.append(writer.writerow([]))
        lines += [writer.writerow([safe_cell(line)]) for line in footer]
    if lines:
        yield "".join(lines)


def _csv_cell(value: Any) -> Any:
    # A time is written as every page writes it (lib.display), not as Python's ISO text.
    return datetime_text(value) if isinstance(value, datetime) else safe_cell(value)


def xlsx_bytes(
    header: list[str], rows: Iterable[Sequence[Any]], footer: Sequence[str], *, sheet_title: str
) -> bytes:
    """Return an .xlsx workbook with one sheet: header, rows, then a blank row and the footer."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.append([_xlsx_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    if footer:
        sheet.append([])
        for line in footer:
            sheet.append([_xlsx_cell(sheet, line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(
    header: list[str],
    rows: Iterable[Sequence[Any]],
    footer: Sequence[str],
    *,
    kind: str,
    name: str,
    sheet_title: str,
) -> HttpResponse | StreamingHttpResponse:
    """The download of an export: `kind` "csv" streams (any size), "xlsx" is built whole in memory
    (callers bound its rows). `name` is the file name without its extension."""
    if kind == "csv":
        response = StreamingHttpResponse(
            csv_rows(header, rows, footer), content_type="text/csv; charset=utf-8"
        )
    elif kind == "xlsx":
        response = HttpResponse(
            xlsx_bytes(header, rows, footer, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise ValueError(f"no export of kind {kind!r}")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    value = safe_cell(value)
    if isinstance(value, str):
        # openpyxl refuses control characters XML cannot carry; drop them rather than fail the export.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        # Explicitly a string: openpyxl would otherwise store any text starting with "=" as a formula.
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones (openpyxl raises); officials read local time, written as on pages.
        cell = WriteOnlyCell(sheet, value=timezone.make_naive(value))
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    return value


def _sheet_title(title: str) -> str:
    # Venue and commune names may contain "/" and run long; Excel refuses both.
    return title.translate(_SHEET_TITLE_FORBIDDEN)[:_SHEET_TITLE_MAX] or "Sheet"
