"""Form widgets written out in Python where Django's template-per-part rendering is the cost."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

_SELECTED = mark_safe(" selected")


class PlainSelect(forms.Select):
    """A `<select>` of flat choices, built with `format_html` instead of a template per `<option>`.

    The scan page asks where the visitor lives: one option per commune of the province (166 in Thanh
    Hóa). Rendered through Django's widget templates that was half the page's CPU on every scan
    (docs/benchmarks.md, "Check-in ingest"); the HTML is the same (names and labels escaped the same way).
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(key), _SELECTED if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)
