from unittest import mock

from qrtrace.lib.pdf import FONT, a4_document, draw_matrix, fitted_text


def test_a_document_writes_vietnamese_in_the_embedded_font():
    pdf = a4_document()
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(100, 10, "Khai báo y tế · Thanh Hóa")
    body = bytes(pdf.output())
    assert body.startswith(b"%PDF") and b"DejaVuSansBold" in body


def test_a_long_name_is_shrunk_until_it_fits_but_no_further_than_the_smallest_size():
    pdf = a4_document()
    pdf.add_page()
    fitted_text(pdf, "Chợ " * 18, width=186, style="B", size=22, height=10, lines=2)
    assert 12 < pdf.font_size_pt < 22
    fitted_text(pdf, "Chợ " * 200, width=186, style="B", size=22, height=10, lines=2)
    assert pdf.font_size_pt == 12


def test_a_qr_matrix_is_drawn_one_rectangle_per_run_of_dark_modules():
    pdf = a4_document()
    pdf.add_page()
    matrix = [[True, True, False, True], [False, False, False, False], [True, True, True, True], [False] * 4]
    with mock.patch.object(pdf, "rect") as rect:
        draw_matrix(pdf, matrix, left=10, top=20, size=40)
    assert [call.args[:3] for call in rect.call_args_list] == [(10, 20, 20), (40, 20, 10), (10, 40, 40)]
