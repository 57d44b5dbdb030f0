import io

import pypdfium2
import pytest
import segno
import zxingcpp
from django.core.management import CommandError, call_command
from PIL import Image

from qrtrace.venues.posters import QR_MM, poster_pdf
from qrtrace.venues.qr import venue_checkin_url, venue_qr, venue_qr_image
from tests import actors

pytestmark = pytest.mark.django_db


def _decode_pages(pdf: bytes) -> list[zxingcpp.Barcode]:
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for page in document:
        found += zxingcpp.read_barcodes(
            page.render(scale=1.5).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode
        )
    document.close()
    return found


def _page_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    return text


@pytest.mark.parametrize("base", ["http://127.0.0.1:8000", "https://qr.syt.thanhhoa.gov.vn"])
def test_the_poster_qr_decodes_to_exactly_the_checkin_link_at_version_4_or_below(venue, settings, base):
    settings.PUBLIC_BASE_URL = base
    [barcode] = _decode_pages(poster_pdf([venue]))
    assert barcode.text == venue_checkin_url(venue)
    assert barcode.text.startswith(f"{base}/v/{venue.code}.")
    assert venue_qr(venue).version <= 4
    assert venue_qr(venue).error in ("M", "Q", "H")


def test_the_poster_is_a4_in_vietnamese_with_the_code_and_a_qr_at_least_15_cm(venue):
    pdf = poster_pdf([venue])
    document = pypdfium2.PdfDocument(pdf)
    width_mm, height_mm = (round(points * 25.4 / 72) for points in document.get_page_size(0))
    document.close()
    assert (width_mm, height_mm) == (210, 297)
    assert QR_MM >= 150
    text = _page_text(pdf)
    assert venue.name in text
    assert "Phường Hạc Thành" in text
    assert f"Mã địa điểm: {venue.code}" in text
    assert "Quét mã bằng camera điện thoại hoặc Zalo" in text
    assert "phiên bản khóa 1.1" in text


def test_the_font_is_embedded_so_diacritics_print_on_any_machine(venue):
    assert b"/FontFile2" in poster_pdf([venue])


def test_the_svg_and_png_hold_the_same_link(venue):
    svg = venue_qr_image(venue, kind="svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    png = Image.open(io.BytesIO(venue_qr_image(venue, kind="png")))
    [barcode] = zxingcpp.read_barcodes(png)
    assert barcode.text == venue_checkin_url(venue)


def test_a_base_url_too_long_for_version_4_fails_the_system_check(settings):
    from qrtrace.venues.checks import qr_fits_version_4

    settings.PUBLIC_BASE_URL = "https://qr.so-y-te.tinh-thanh-hoa.example.gov.vn"
    assert [error.id for error in qr_fits_version_4(None)] == ["venues.E001"]
    settings.PUBLIC_BASE_URL = "https://qr.syt.thanhhoa.gov.vn"
    assert qr_fits_version_4(None) == []
    assert segno.make(settings.PUBLIC_BASE_URL + "/v/ABCDEFG.1ABCDEFGHJK", error="m").version <= 4


def test_the_posters_command_writes_one_page_per_active_venue_of_the_commune(tmp_path):
    venues = [actors.make_venue(f"Cửa hàng số {n}", kind="shop") for n in range(20)]
    actors.make_venue("Chờ duyệt", status="pending")
    actors.make_venue("Xã khác", commune=actors.COMMUNE_B)
    out = tmp_path / "posters.pdf"
    call_command("posters", "--commune", str(actors.COMMUNE_A), "--out", str(out), stdout=io.StringIO())
    pdf = out.read_bytes()
    assert pdf.count(b"/Type /Page\n") == 20
    decoded = {barcode.text for barcode in _decode_pages(pdf)}
    assert decoded == {venue_checkin_url(v) for v in venues}


def test_the_posters_command_refuses_an_unknown_commune(tmp_path):
    with pytest.raises(CommandError, match="no commune"):
        call_command("posters", "--commune", "1", "--out", str(tmp_path / "x.pdf"))


def test_the_poster_shows_the_sms_line_only_when_the_operator_set_a_number(venue, settings):
    assert "8088" not in _page_text(poster_pdf([venue]))

    settings.QRTRACE_SMS_NUMBER = "8088"
    text = " ".join(_page_text(poster_pdf([venue])).split())

    assert f"Nhắn QR {venue.code} tới 8088" in text
