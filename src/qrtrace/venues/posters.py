"""A4 posters: the venue's name and address, its QR at least 15 cm wide, and how to use it.

The QR is drawn as vector rectangles (lib.pdf.draw_matrix), not as an embedded image.
The text is always in the deployment's language (Vietnamese), whoever downloads the poster.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from qrtrace.lib.display import date_text
from qrtrace.lib.pdf import FONT, a4_document, draw_matrix, fitted_text

from .models import Venue
from .qr import venue_qr

PAGE_W = 210  # mm, A4 portrait
QR_MM = 150  # the symbol itself, quiet zone excluded: scannable from 1 m
QR_TOP = 72  # leaves the 4-module quiet zone (18 mm) clear below the address
MARGIN = 12
TEXT_W = PAGE_W - 2 * MARGIN


def poster_pdf(venues: Iterable[Venue], *, issued_on: date | None = None) -> bytes:
    """One PDF with a poster page per venue (the venues should be active)."""
    issued_on = issued_on or timezone.localdate()
    pdf = a4_document()
    with translation.override(settings.LANGUAGE_CODE):
        for venue in venues:
            _page(pdf, venue, issued_on)
    return bytes(pdf.output())


def _page(pdf: FPDF, venue: Venue, issued_on: date) -> None:
    pdf.add_page()
    pdf.set_fill_color(11, 107, 79)
    pdf.rect(0, 0, PAGE_W, 18, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(FONT, "B", 17)
    pdf.set_xy(MARGIN, 4)
    pdf.cell(TEXT_W, 10, _("HEALTH DECLARATION · CHECK-IN"), align="C")

    pdf.set_text_color(27, 31, 36)
    pdf.set_xy(MARGIN, 23)
    fitted_text(pdf, venue.name, width=TEXT_W, style="B", size=22, height=10, lines=2)
    pdf.set_font(FONT, "", 12)
    pdf.set_x(MARGIN)
    pdf.multi_cell(TEXT_W, 6, f"{venue.address}, {venue.commune.name}", align="C", max_line_height=6)

    draw_matrix(pdf, venue_qr(venue).matrix, left=(PAGE_W - QR_MM) / 2, top=QR_TOP, size=QR_MM)

    pdf.set_font(FONT, "B", 24)
    pdf.set_xy(MARGIN, QR_TOP + QR_MM + 18)  # below the quiet zone
    pdf.cell(TEXT_W, 11, _("Venue code: %(code)s") % {"code": venue.code}, align="C")
    pdf.set_font(FONT, "", 13)
    pdf.set_xy(MARGIN, QR_TOP + QR_MM + 30)
    pdf.multi_cell(
        TEXT_W,
        6.5,
        _(
            "Scan the code with your phone camera or Zalo to declare your health and check in; "
            "no app to install. Each visitor scans with their own phone on arrival. "
            "Cannot scan? Give the venue code to the staff at the entrance."
        ),
        align="C",
    )
    if settings.QRTRACE_SMS_NUMBER:  # feature phones check in by text (notifications.inbound)
        pdf.set_font(FONT, "B", 13)
        pdf.set_x(MARGIN)
        pdf.multi_cell(
            TEXT_W,
            7,
            _("No smartphone? Text QR %(code)s to %(number)s.")
            % {"code": venue.code, "number": settings.QRTRACE_SMS_NUMBER},
            align="C",
        )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(91, 101, 112)
    pdf.set_xy(MARGIN, 285)
    key_version = f"{settings.QRTRACE_SIGNING_KEY_VERSION}.{venue.qr_version}"
    pdf.cell(
        TEXT_W,
        5,
        _("Issued on %(date)s · key version %(version)s · %(base)s")
        % {"date": date_text(issued_on), "version": key_version, "base": settings.PUBLIC_BASE_URL},
        align="C",
    )
