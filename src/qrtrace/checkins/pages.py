"""Citizens' pages rendered once per language and filled in per request ("molds").

The scan page of a phone the server does not know is the same for every visitor of every venue in
one language except for a few values: the venue's name and address, the CSRF token and the page's
own path (the language switch returns to it). Rendered by its template on every scan it cost 13-16
ms of CPU, most of it Django rendering ~25 form widgets each through the template engine
(docs/benchmarks.md, "The citizen's check-in"); the whole check-in had to be a few milliseconds.

A mold renders the real template once per language with a marker in place of each such value, and
cuts the output at the markers. A request then joins the pieces with its own values, escaped as the
template escapes them: the same bytes the template would have written (tests/checkins/
test_scan_page_mold.py renders both ways and compares them). What the markers cannot stand for
(a bound form, a remembered person, messages) is rendered by the template as before.
"""

import re
from collections.abc import Mapping
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.translation import get_language

_MARKER = "QRTRACEMOLD{}SLOT"
_MARKERS = re.compile(_MARKER.format("([A-Z]+)"))


class Mold:
    """`template` rendered once per language, with `slots` (names: upper-case letters) to fill in.

    `context(marker)` is the template's context, built with `marker(name)` in place of each slot's
    value; every slot must reach the output only through autoescaped variables (or, for CSRF, the
    `{% csrf_token %}` tag, whose value is a plain token).
    """

    def __init__(self, template: str, slots: tuple[str, ...], context) -> None:
        self.template, self.slots, self._context = template, slots, context
        self._pieces: dict[str, list[str]] = {}

    def render(self, request: HttpRequest, values: Mapping[str, str]) -> str:
        """The page for this request's language, with these slot values (escaped here)."""
        pieces = self._pieces.get(get_language()) or self._cast(request)
        out = []
        for index, piece in enumerate(pieces):
            # Cut by a capturing split: text at even indexes, slot names at odd ones.
            out.append(conditional_escape(values[piece]) if index % 2 else piece)
        return "".join(out)

    def _cast(self, request: HttpRequest) -> list[str]:
        marker = _MARKER.format
        html = render_to_string(
            self.template,
            self._context(marker)
            | {
                # What the context processors would give: the page's path, a CSRF token, no messages.
                "request": SimpleNamespace(get_full_path=lambda: marker("PATH")),
                "csrf_token": marker("CSRF"),
                "messages": (),
            },
            request=request,
        )
        pieces = _MARKERS.split(html)
        unknown = set(pieces[1::2]) - {*self.slots, "PATH", "CSRF"}
        if unknown:
            raise ValueError(f"{self.template}: markers of no slot in the output: {sorted(unknown)}")
        if not settings.DEBUG:  # in development templates change under a running server
            self._pieces[get_language()] = pieces
        return pieces
