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
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_MARKER = "QRTRACEMOLD{}SLOT"
_MARKERS = re.compile(_MARKER.format("([A-Z0-9]+)"))


class Mold:
    """`template` rendered once per language (and shape), with slots to fill in.

    `context(marker, shape)` is the template's context for a page of this `shape` (a hashable that
    says what the page holds, e.g. how many check-ins), built with `marker(name)` in place of each
    slot's value (names: upper-case letters and digits); every slot must reach the output only
    through autoescaped variables or tags (for CSRF, `{% csrf_token %}`, whose value is a plain token).
    """

    def __init__(self, template: str, context) -> None:
        self.template, self._context = template, context
        self._pieces: dict[tuple, list[str]] = {}

    def render(self, request: HttpRequest, values: Mapping[str, str], shape=None) -> SafeString:
        """The page for this request's language, with these slot values (escaped here)."""
        pieces = self._pieces.get((get_language(), shape)) or self._cast(request, shape)
        out = []
        for index, piece in enumerate(pieces):
            # Cut by a capturing split: text at even indexes, slot names at odd ones.
            out.append(conditional_escape(values[piece]) if index % 2 else piece)
        return mark_safe("".join(out))  # the template's own output, every value escaped above  # noqa: S308

    def _cast(self, request: HttpRequest, shape) -> list[str]:
        marker = _MARKER.format
        html = render_to_string(
            self.template,
            self._context(marker, shape)
            | {
                # What the context processors would give: the page's path, a CSRF token, no messages.
                "request": SimpleNamespace(get_full_path=lambda: marker("PATH")),
                "csrf_token": marker("CSRF"),
                "messages": (),
            },
            request=request,
        )
        pieces = _MARKERS.split(html)
        if not settings.DEBUG:  # in development templates change under a running server
            self._pieces[(get_language(), shape)] = pieces
        return pieces
