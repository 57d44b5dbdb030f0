"""PDF documents in Vietnamese: the fonts they embed and the drawing every printed page shares.

Posters (venues) use it today; quarantine certificates and dashboard reports will, without importing
venues. fpdf2's built-in fonts are Latin-1 only, so every document embeds DejaVu Sans (subset to the
glyphs used), which covers every Vietnamese letter and tone mark.
"""

import logging
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

# fpdf2 subsets the font through fontTools, which logs every glyph at INFO: noise in a batch of 1,000.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "Sans"  # the family name documents set: regular "" and bold "B"


def a4_document() -> FPDF:
    """An empty A4 portrait document in millimetres with the Sans family loaded, no automatic breaks
    (each page is laid out whole)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("QRTrace")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    return pdf


def fitted_text(
    pdf: FPDF,
    text: str,
    *,
    width: float,
    style: str,
    size: int,
    height: float,
    lines: int,
    smallest: int = 12,
) -> None:
    """Write `text` centred in at most `lines` lines of `width`, shrinking the font (down to
    `smallest`) until it fits."""
    pdf.set_font(FONT, style, size)
    # Words wrap at spaces, so a line holds a little less than its width: hence the 0.85.
    while size > smallest and pdf.get_string_width(text) > width * lines * 0.85:
        size -= 1
        pdf.set_font(FONT, style, size)
    pdf.multi_cell(width, height * size / 22, text, align="C", max_line_height=height)


def draw_matrix(pdf: FPDF, matrix: Sequence[Sequence[bool]], *, left: float, top: float, size: float) -> None:
    """Draw a QR symbol's modules as black vector rectangles, one per run of dark modules in a row:
    sharp on any printer, and a 1,000-page PDF stays small and quick to write."""
    module = size / len(matrix)
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
            pdf.rect(left + start * module, top + row * module, (col - start) * module, module + 0.05, "F")
