"""The printable A4 leaflet of the guide (lib.pdf), with its pictures and a QR code to the guide page."""

from functools import cache

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image

from qrtrace.lib.pdf import FONT, a4_document, draw_matrix

from .guide import SECTIONS

MARGIN = 14


@cache
def _leaflet(language: str) -> bytes:
    pdf = a4_document()
    pdf.set_title(_("How to declare your health by QR code"))
    pdf.add_page()
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    width = 210 - 2 * MARGIN
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(width - 34, 9, _("How to declare your health by QR code"), align="L")
    url = settings.PUBLIC_BASE_URL + reverse("public:guide")
    draw_matrix(pdf, segno.make(url, error="m").matrix, left=210 - MARGIN - 30, top=MARGIN, size=30)
    pdf.set_xy(MARGIN, max(pdf.get_y(), MARGIN + 18) + 2)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(width - 34, 4.5, url, align="L")
    pdf.set_y(max(pdf.get_y(), MARGIN + 30) + 3)  # below the QR code
    # One strip of the pictures, numbered; the steps below name theirs.
    _pictures = [step.picture for section in SECTIONS for step in section.steps if step.picture]
    _pictures = [name for name in _pictures if finders.find(f"public/guide/{name}")]
    top, tallest = pdf.get_y(), 0.0
    gap = 3
    size = (width - gap * (len(_pictures) - 1)) / max(len(_pictures), 1)
    for index, name in enumerate(_pictures):
        path = finders.find(f"public/guide/{name}")
        with Image.open(path) as image:
            height = size * image.height / image.width
        left = MARGIN + index * (size + gap)
        pdf.image(path, x=left, y=top, w=size)
        pdf.set_xy(left, top + height + 0.5)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(size, 4, f"({index + 1})", align="C")
        tallest = max(tallest, height + 5)
    pdf.set_xy(MARGIN, top + tallest + 2)
    for section in SECTIONS:
        pdf.set_x(MARGIN)
        pdf.set_font(FONT, "B", 13)
        pdf.cell(width, 8, str(section.title), new_x="LMARGIN", new_y="NEXT")
        for number, step in enumerate(section.steps, 1):
            pdf.set_font(FONT, "", 10)
            pdf.set_x(MARGIN)
            mark = f" ({_pictures.index(step.picture) + 1})" if step.picture in _pictures else ""
            pdf.multi_cell(width, 5, f"{number}. {step.text}{mark}", new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
    pdf.set_font(FONT, "", 8)
    pdf.set_xy(MARGIN, 297 - MARGIN - 5)
    pdf.cell(width, 5, _("QRTrace: the provincial health department's QR check-in. No app to install."))
    return bytes(pdf.output())


def leaflet_pdf() -> bytes:
    """The leaflet in the current language (made once per process and language)."""
    return _leaflet(get_language())
