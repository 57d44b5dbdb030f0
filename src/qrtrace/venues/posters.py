"""A4 posters: the venue's name and address, its QR at least 15 cm wide, and how to use it.

The QR is drawn as vector rectangles (one per run of dark modules), not as an embedded image:
it stays sharp on any printer and a 1,000-poster PDF stays small and quick to write.
The text is always in the deployment's language (Vietnamese), whoever downloads the poster.
"""

import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Venue
from .qr import venue_qr

# fpdf2 subsets the font through fontTools, which logs every glyph at INFO: noise in a batch of 1,000.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
PAGE_W = 210  # mm, A4 portrait
QR_MM = 150  # the symbol itself, quiet zone excluded: scannable from 1 m
QR_TOP = 72  # leaves the 4-module quiet zone (18 mm) clear below the address
MARGIN = 12
TEXT_W = PAGE_W - 2 * MARGIN


def poster_pdf(venues: Iterable[Venue], *, issued_on: date | None = None) -> bytes:
    """One PDF with a poster page per venue (the venues should be active)."""
    issued_on = issued_on or timezone.localdate()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("QRTrace")
    pdf.add_font("Sans", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    with translation.override(settings.LANGUAGE_CODE):
        for venue in venues:
            _page(pdf, venue, issued_on)
    return bytes(pdf.output())


def _page(pdf: FPDF, venue: Venue, issued_on: date) -> None:
    pdf.add_page()
    pdf.set_fill_color(11, 107, 79)
    pdf.rect(0, 0, PAGE_W, 18, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Sans", "B", 17)
    pdf.set_xy(MARGIN, 4)
    pdf.cell(TEXT_W, 10, _("HEALTH DECLARATION · CHECK-IN"), align="C")

    pdf.set_text_color(27, 31, 36)
    pdf.set_xy(MARGIN, 23)
    _fitted(pdf, venue.name, style="B", size=22, height=10, lines=2)
    pdf.set_font("Sans", "", 12)
    pdf.set_x(MARGIN)
    pdf.multi_cell(TEXT_W, 6, f"{venue.address}, {venue.commune.name}", align="C", max_line_height=6)

    _draw_qr(pdf, venue)

    pdf.set_font("Sans", "B", 24)
    pdf.set_xy(MARGIN, QR_TOP + QR_MM + 18)  # below the quiet zone
    pdf.cell(TEXT_W, 11, _("Venue code: %(code)s") % {"code": venue.code}, align="C")
    pdf.set_font("Sans", "", 13)
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
    pdf.set_font("Sans", "", 9)
    pdf.set_text_color(91, 101, 112)
    pdf.set_xy(MARGIN, 285)
    key_version = f"{settings.QRTRACE_SIGNING_KEY_VERSION}.{venue.qr_version}"
    pdf.cell(
        TEXT_W,
        5,
        _("Issued on %(date)s · key version %(version)s · %(base)s")
        % {"date": issued_on.strftime("%d/%m/%Y"), "version": key_version, "base": settings.PUBLIC_BASE_URL},
        align="C",
    )


def _fitted(pdf: FPDF, text: str, *, style: str, size: int, height: float, lines: int) -> None:
    """Write `text` centred in at most `lines` lines, shrinking the font until it fits."""
    pdf.set_font("Sans", style, size)
    # Words wrap at spaces, so a line holds a little less than its width: hence the 0.85.
    while size > 12 and pdf.get_string_width(text) > TEXT_W * lines * 0.85:
        size -= 1
        pdf.set_font("Sans", style, size)
    pdf.multi_cell(TEXT_W, height * size / 22, text, align="C", max_line_height=height)


def _draw_qr(pdf: FPDF, venue: Venue) -> None:
    matrix = venue_qr(venue).matrix
    module = QR_MM / len(matrix)
    left = (PAGE_W - QR_MM) / 2
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            # A hair of overlap hides the seams some PDF viewers draw between adjacent rectangles.
            pdf.rect(left + start * module, QR_TOP + row * module, (col - start) * module, module + 0.05, "F")
