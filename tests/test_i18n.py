"""Vietnamese is the default language: every catalogue must be complete and compiled."""

import os
import shutil
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


def _loaded_catalogues() -> list[tuple[str, Path]]:
    """Every Vietnamese catalogue Django merges, in its order of precedence (the first wins):
    LOCALE_PATHS, then each installed app's in INSTALLED_APPS order (Django's contrib apps too:
    `django.contrib.admin` comes first and overrides our "History", "Action", "Filter"...)."""
    from django.apps import apps
    from django.conf import settings

    found = [(str(Path(p).name), Path(p) / "vi" / "LC_MESSAGES" / "django.mo") for p in settings.LOCALE_PATHS]
    found += [
        (c.name, Path(c.path) / "locale" / "vi" / "LC_MESSAGES" / "django.mo") for c in apps.get_app_configs()
    ]
    return [(name, path) for name, path in found if path.exists()]


def _translation(entry) -> tuple[str, ...]:
    return (entry.msgstr, *(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)))


def test_no_message_is_translated_differently_in_two_catalogues():
    """Django merges all catalogues into one: a msgid (with its context) that one of ours translates
    otherwise than the catalogue loaded first shows that one's words on our pages. Same meaning: make
    the translations agree; a different meaning: give one side a context (pgettext, `context "…"`)."""
    ours = {path.with_suffix(".mo") for path in CATALOGUES}
    translations: dict[tuple[str | None, str], dict[tuple[str, bool], tuple[str, ...]]] = {}
    for name, path in _loaded_catalogues():
        for entry in polib.mofile(str(path)):
            if entry.msgid and any(_translation(entry)):
                translations.setdefault(_key(entry), {})[(name, path in ours)] = _translation(entry)
    clashes = [
        f"{msgctxt + ' | ' if msgctxt else ''}{msgid!r}: "
        + "; ".join(f"{name} {' / '.join(words)!r}" for (name, _ours), words in by.items())
        for (msgctxt, msgid), by in sorted(translations.items(), key=lambda kv: (kv[0][1], kv[0][0] or ""))
        if any(is_ours and words != next(iter(by.values())) for (_name, is_ours), words in by.items())
    ]
    assert clashes == [], "\n".join(clashes)


def _used_messages(workdir: Path) -> dict[str, set[tuple[str | None, str]]]:
    """The msgids (with their contexts) each catalogue is made from, extracted as scripts/messages.sh
    does it (makemessages per app, then the project's shared templates and modules), but in a copy
    of the sources with no catalogues: the real ones are left alone."""
    from django.core.management import call_command

    copy = workdir / "qrtrace"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("*.po", "*.mo", "__pycache__", "static"))
    apps = sorted(path.parent.name for path in copy.glob("*/locale"))
    runs = [(app, copy / app, []) for app in apps]
    runs.append(("project", copy, [f"{app}/*" for app in apps]))
    used = {}
    for name, where, ignore in runs:
        os.chdir(where)
        options = {"no_obsolete": True, "no_location": True, "ignore_patterns": ignore, "verbosity": 0}
        call_command("makemessages", locale=["vi"], **options)
        po = where / "locale" / "vi" / "LC_MESSAGES" / "django.po"
        used[name] = {_key(entry) for entry in polib.pofile(str(po)) if entry.msgid} if po.exists() else set()
    return used


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (apt-get install gettext)")
def test_every_message_used_has_a_vietnamese_translation(tmp_path, settings, monkeypatch):
    """A msgid in the code or a template that no loaded catalogue translates shows in English on a
    Vietnamese page. Django merges the catalogues: one translated by any of them (same context) is served."""
    served = {
        _key(entry)
        for _name, path in _loaded_catalogues()
        for entry in polib.mofile(str(path))
        if entry.msgid and any(_translation(entry))
    }
    settings.LOCALE_PATHS = []  # makemessages would otherwise write into the project's catalogue
    monkeypatch.chdir(tmp_path)  # and puts back the working directory the extraction moves through
    missing = [
        f"{name}: {msgctxt + ' | ' if msgctxt else ''}{msgid!r}"
        for name, keys in _used_messages(tmp_path).items()
        for msgctxt, msgid in sorted(keys, key=lambda key: (key[1], key[0] or ""))
        if (msgctxt, msgid) not in served
    ]
    assert missing == [], "\n".join(missing)
