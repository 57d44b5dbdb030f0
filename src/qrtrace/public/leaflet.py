"""The printable A4 leaflet of the guide (lib.pdf), with its pictures and a QR code to the guide page."""

from functools import cache

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qrtrace.lib.pdf import FONT, a4_document, draw_matrix

from .guide import PICTURE_RATIO, SECTIONS

MARGIN = 14
PICTURE_MM = 36


@cache
def _leaflet(language: str) -> bytes:
    pdf = a4_document()
    pdf.set_title(_("How to declare your health by QR code"))
    pdf.add_page()
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    width = 210 - 2 * MARGIN
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(width - 34, 9, _("How to declare your health by QR code"))
    url = settings.PUBLIC_BASE_URL + reverse("public:guide")
    draw_matrix(pdf, segno.make(url, error="m").matrix, left=210 - MARGIN - 30, top=MARGIN, size=30)
    pdf.set_xy(MARGIN, max(pdf.get_y(), MARGIN + 18) + 2)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(width - 34, 4.5, url)
    pdf.ln(3)
    for section in SECTIONS:
        pdf.set_x(MARGIN)
        pdf.set_font(FONT, "B", 13)
        pdf.cell(width, 8, str(section.title), new_x="LMARGIN", new_y="NEXT")
        pictures = []
        for number, step in enumerate(section.steps, 1):
            pdf.set_font(FONT, "", 10)
            pdf.set_x(MARGIN)
            pdf.multi_cell(width, 5, f"{number}. {step.text}", new_x="LMARGIN", new_y="NEXT")
            found = finders.find(f"public/guide/{step.picture}") if step.picture else None
            if found:
                pictures.append(found)
        if pictures:
            top = pdf.get_y() + 1
            for index, picture in enumerate(pictures):
                pdf.image(picture, x=MARGIN + index * (PICTURE_MM + 4), y=top, w=PICTURE_MM)
            pdf.set_y(top + PICTURE_MM * PICTURE_RATIO + 1)
        pdf.ln(2)
    pdf.set_font(FONT, "", 8)
    pdf.set_xy(MARGIN, 297 - MARGIN - 5)
    pdf.cell(width, 5, _("QRTrace: the provincial health department's QR check-in. No app to install."))
    return bytes(pdf.output())


def leaflet_pdf() -> bytes:
    """The leaflet in the current language (made once per process and language)."""
    return _leaflet(get_language())
