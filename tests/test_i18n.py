"""Vietnamese is the default language: every catalogue must be complete and compiled."""

from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "qrtrace"
CATALOGUES = sorted(SRC.glob("**/locale/vi/LC_MESSAGES/django.po"))


def _key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def test_there_is_a_catalogue_per_app_with_user_facing_text():
    assert len(CATALOGUES) >= 10


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_message_has_a_vietnamese_translation(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and not (e.msgstr or any(e.msgstr_plural.values()))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert missing == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_compiled_catalogue_matches_its_source(po_path):
    """A .po edited without recompiling would silently show the old (or English) text."""
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    expected = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in po if not e.obsolete and e.msgid}
    compiled = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in mo if e.msgid}
    assert compiled == expected
