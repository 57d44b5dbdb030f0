import csv
import datetime as dt
import io
import unicodedata

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from qrtrace.lib.cells import XLSX_CONTENT_TYPE, csv_rows, export_response, safe_cell, xlsx_bytes

DANGEROUS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2", "\tx", "\rx"]
VIETNAMESE = "Nguyễn Thị Hương, phường Điện Biên, TP. Thanh Hóa"
HEADER = ["Họ tên", "Ghi chú"]
FOOTER = ["Exported by cdc at 2026-11-25 10:00, purpose: F1 tracing"]


def read_csv(lines) -> list[list[str]]:
    data = "".join(lines).encode()  # what StreamingHttpResponse sends
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(cell for cell in row) for row in sheet.iter_rows()]


# --- safe_cell ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_string_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        '\uff1dHYPERLINK("http://x")',  # full-width equals sign
        "\ufe62SUM(A1)",  # small plus sign
        "\uff20SUM(A1)",  # full-width commercial at
        '\u200b=HYPERLINK("http://x")',  # zero-width space, then a formula
        "\ufeff\u200d-2+3",  # byte-order mark and zero-width joiner
    ],
)
def test_look_alike_and_invisibly_prefixed_formula_signs_are_made_inert_too(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Hà Nội", "a=b", "1+1", "", " =1", "'quoted", "0912345678", "\u200b"])
def test_ordinary_strings_are_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-2, 3.5, 0, True, dt.date(2026, 11, 25)])
def test_values_that_are_not_strings_are_returned_unchanged(value):
    assert safe_cell(value) is value


def test_none_becomes_an_empty_cell():
    assert safe_cell(None) == ""


def test_a_lazily_translated_string_becomes_plain_text_and_is_checked_too():
    with translation.override("en"):
        assert safe_cell(gettext_lazy("Phone")) == "Phone"
        assert type(safe_cell(gettext_lazy("Phone"))) is str
        assert safe_cell(gettext_lazy("=cmd")) == "'=cmd"


@given(value=st.text())
def test_no_safe_string_starts_a_formula(value):
    safe = safe_cell(value)
    visible = "".join(char for char in safe if unicodedata.category(char) != "Cf")
    assert not unicodedata.normalize("NFKC", visible).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe in (value, "'" + value)


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_cells_that_look_like_formulas_read_back_as_inert_text():
    rows = read_csv(csv_rows(HEADER, [[value, "ok"] for value in DANGEROUS], FOOTER))
    assert [row[0] for row in rows[1 : 1 + len(DANGEROUS)]] == ["'" + value for value in DANGEROUS]


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_utf8():
    response = export_response(HEADER, [], [], kind="csv", name="x", sheet_title="x")
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf" + "Họ tên".encode())


def test_an_export_is_a_download_named_after_its_kind():
    csv_file = export_response(HEADER, [[VIETNAMESE, 1]], FOOTER, kind="csv", name="log-X", sheet_title="")
    assert isinstance(csv_file, StreamingHttpResponse)
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file["Content-Disposition"] == 'attachment; filename="log-X.csv"'
    xlsx = export_response(HEADER, [[VIETNAMESE, 1]], FOOTER, kind="xlsx", name="case-1", sheet_title="Chợ")
    assert xlsx["Content-Type"] == XLSX_CONTENT_TYPE
    assert xlsx["Content-Disposition"] == 'attachment; filename="case-1.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert (sheet.title, sheet["A2"].value) == ("Chợ", VIETNAMESE)
    with pytest.raises(ValueError, match="pdf"):
        export_response(HEADER, [], [], kind="pdf", name="x", sheet_title="x")


def test_vietnamese_text_round_trips_through_csv():
    rows = read_csv(csv_rows(HEADER, [[VIETNAMESE, None]], []))
    assert rows == [HEADER, [VIETNAMESE, ""]]


def test_csv_header_footer_and_rows_are_all_made_safe():
    rows = read_csv(csv_rows(["=A1", "name"], [["-1", 2]], ["@footer"]))
    assert rows == [["'=A1", "name"], ["'-1", "2"], [], ["'@footer"]]


def test_the_csv_footer_follows_an_empty_line_one_line_per_entry():
    footer = [*FOOTER, "Mục đích: truy vết F1"]
    rows = read_csv(csv_rows(HEADER, [["a", "b"], ["c", "d"]], footer))
    assert rows == [HEADER, ["a", "b"], ["c", "d"], [], [FOOTER[0]], ["Mục đích: truy vết F1"]]


def test_a_csv_without_footer_ends_after_the_last_row():
    assert read_csv(csv_rows(HEADER, [["a", "b"]], [])) == [HEADER, ["a", "b"]]


def test_csv_yields_the_header_at_once_then_reads_rows_only_a_batch_at_a_time():
    consumed = []

    def rows():
        for number in range(5):
            consumed.append(number)
            yield [number, "x"]

    chunks = csv_rows(HEADER, rows(), ["end"], batch=2)
    assert next(chunks) == "\ufeffHọ tên,Ghi chú\r\n"
    assert consumed == []
    assert next(chunks) == "0,x\r\n1,x\r\n"
    assert consumed == [0, 1]
    assert next(chunks) == "2,x\r\n3,x\r\n"
    assert consumed == [0, 1, 2, 3]
    assert list(chunks) == ["4,x\r\n\r\nend\r\n"]


def test_a_cell_with_a_line_break_stays_one_csv_cell():
    rows = read_csv(csv_rows(HEADER, [["line one\nline two", "=1"]], []))
    assert rows[1] == ["line one\nline two", "'=1"]


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_cells_that_look_like_formulas_are_stored_as_inert_strings():
    data = xlsx_bytes(HEADER, [[value, "ok"] for value in DANGEROUS], FOOTER, sheet_title="F1")
    cells = [row[0] for row in read_xlsx(data)[1 : 1 + len(DANGEROUS)]]
    assert [cell.data_type for cell in cells] == ["s"] * len(DANGEROUS)
    # XML parsers read a bare carriage return as a line feed; the apostrophe before it is what matters.
    assert [cell.value for cell in cells] == ["'" + value.replace("\r", "\n") for value in DANGEROUS]


def test_no_xlsx_cell_is_a_formula():
    data = xlsx_bytes(["=H"], [[value] for value in DANGEROUS], ["=F"], sheet_title="F1")
    cells = [cell for row in read_xlsx(data) for cell in row if cell.value is not None]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)


def test_vietnamese_text_round_trips_through_xlsx():
    rows = read_xlsx(xlsx_bytes(HEADER, [[VIETNAMESE, "Đã cách ly"]], [], sheet_title="Danh sách F1"))
    assert [[cell.value for cell in row] for row in rows] == [HEADER, [VIETNAMESE, "Đã cách ly"]]


def test_numbers_stay_numbers_in_xlsx():
    (_header, row) = read_xlsx(xlsx_bytes(["n", "x"], [[-2, 3.5]], [], sheet_title="F1"))
    assert [(cell.value, cell.data_type) for cell in row] == [(-2, "n"), (3.5, "n")]


def test_the_xlsx_footer_follows_an_empty_row():
    rows = read_xlsx(xlsx_bytes(HEADER, [["a", "b"]], [*FOOTER, "=x"], sheet_title="F1"))
    values = [[cell.value for cell in row] for row in rows]
    assert values == [HEADER, ["a", "b"], [None, None], [FOOTER[0], None], ["'=x", None]]


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_aware_datetimes_are_written_in_local_time_because_excel_has_no_time_zones():
    entered = dt.datetime(2026, 11, 25, 1, 30, tzinfo=dt.UTC)
    (_header, row) = read_xlsx(xlsx_bytes(["entered"], [[entered]], [], sheet_title="F1"))
    assert row[0].value == dt.datetime(2026, 11, 25, 8, 30)


def test_control_characters_xml_cannot_hold_are_dropped_instead_of_failing_the_export():
    rows = read_xlsx(xlsx_bytes(["note"], [["bell\x07 and\x0b tab\tkept"]], [], sheet_title="F1"))
    assert rows[1][0].value == "bell and tab\tkept"


def test_a_sheet_title_excel_would_refuse_is_made_acceptable():
    data = xlsx_bytes(HEADER, [], [], sheet_title="Chợ 1/5: khu [A]? * rất dài, quá 31 ký tự")
    title = openpyxl.load_workbook(io.BytesIO(data)).active.title
    assert title == "Chợ 1-5- khu -A-- - rất dài, qu"
    assert len(title) == 31
