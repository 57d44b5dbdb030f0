"""PlainSelect writes the same <select> as Django's template-rendered Select."""

import pytest
from django import forms
from django.test.html import parse_html

from qrtrace.lib.widgets import PlainSelect

CHOICES = [("", "Tỉnh khác"), ("14797", "Phường Hạc Thành"), ("16522", 'Xã <b>"A" & B</b>')]


ATTRS = [{"id": "id_commune"}, {"id": "x", "aria-invalid": "true", "required": True}]


@pytest.mark.parametrize("value", [None, "", "14797", "16522", "99999"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_the_html_is_djangos_own(value, attrs):
    ours = PlainSelect(choices=CHOICES).render("commune", value, attrs)
    theirs = forms.Select(choices=CHOICES).render("commune", value, attrs)
    assert parse_html(ours) == parse_html(theirs)
    assert "<b>" not in ours  # labels are escaped


def test_exactly_the_chosen_option_is_selected():
    html = PlainSelect(choices=CHOICES).render("commune", "14797", {})
    assert html.count(" selected") == 1 and '<option value="14797" selected>' in html
