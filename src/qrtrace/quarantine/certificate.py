"""The release certificate ("Giấy xác nhận hoàn thành thời gian cách ly"): an A4 PDF in Vietnamese
with its number, the issuing unit, the dates, and a QR that opens the public verification page."""

from datetime import timedelta

import segno
from django.utils import formats, translation

from qrtrace.lib.pdf import FONT, a4_document, draw_matrix

from .links import certificate_url
from .models import QuarantineOrder

PAGE_W = 210


def _d(value) -> str:
    return formats.date_format(value, "d/m/Y")


def certificate_pdf(order: QuarantineOrder) -> bytes:
    with translation.override("vi"):
        pdf = a4_document()
        pdf.add_page()
        pdf.set_font(FONT, "B", 12)
        pdf.set_xy(15, 15)
        pdf.multi_cell(90, 6, order.certificate_unit.upper(), align="C")
        pdf.set_xy(105, 15)
        pdf.multi_cell(90, 6, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C")
        pdf.set_font(FONT, "", 11)
        pdf.set_xy(15, 35)
        pdf.cell(90, 6, f"Số: {order.certificate_number}", align="C")
        pdf.set_font(FONT, "B", 17)
        pdf.set_xy(15, 55)
        pdf.multi_cell(180, 9, "GIẤY XÁC NHẬN\nHOÀN THÀNH THỜI GIAN CÁCH LY", align="C")
        person = order.person
        place = order.facility.name + ", " + order.facility.address if order.facility else order.address
        last_day = order.planned_end - timedelta(days=1)
        lines = [
            f"{order.certificate_unit} xác nhận:",
            f"Ông/Bà: {person.full_name}"
            + (f"    Năm sinh: {person.birth_year}" if person.birth_year else ""),
            f"Nơi cách ly: {place}",
            f"Hình thức: {order.get_kind_display()}",
            f"Đã hoàn thành thời gian cách ly từ ngày {_d(order.start_date)} đến hết ngày {_d(last_day)}.",
        ]
        tests = [t for t in order.tests.all() if t.result == "negative"]
        if tests:
            lines.append(
                "Kết quả xét nghiệm: "
                + "; ".join(f"ngày {t.day} ({t.get_test_type_display()}): âm tính" for t in tests)
            )
        if order.monitoring_days:
            lines.append(
                f"Tiếp tục tự theo dõi sức khoẻ {order.monitoring_days} ngày sau khi kết thúc cách ly."
            )
        pdf.set_font(FONT, "", 12)
        pdf.set_xy(20, 85)
        for line in lines:
            pdf.set_x(20)
            pdf.multi_cell(170, 8, line)
        issued = order.certificate_issued_at
        pdf.set_xy(105, 175)
        pdf.multi_cell(
            90, 7, f"Ngày {_d(issued)}\nTHỦ TRƯỞNG ĐƠN VỊ\n(Ký, ghi rõ họ tên, đóng dấu)", align="C"
        )
        qr = segno.make(certificate_url(order.certificate_number), error="m", micro=False)
        draw_matrix(pdf, qr.matrix, left=22, top=175, size=40)
        pdf.set_font(FONT, "", 9)
        pdf.set_xy(15, 218)
        pdf.multi_cell(60, 4.5, "Quét mã để kiểm tra giấy xác nhận", align="C")
        return bytes(pdf.output())
