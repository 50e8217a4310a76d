"""English and French are complete; Portuguese and Arabic cover the frontline pages; the
catalogues hold every string the code marks for translation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"

# What a first responder sees: signing in, the day's work, registering and reading a person.
FRONTLINE = [
    "Sign in",
    "Sign out",
    "Today",
    "Persons",
    "Cases",
    "Referrals",
    "Register a person",
    "Save",
    "Given name",
    "Family name",
    "Sex",
    "Female",
    "Male",
    "Nationality",
    "Languages spoken",
    "Date of birth",
    "Estimated age from",
    "Estimated age to",
    "Treated as a child (presumption of minority)",
    "Open a protection case",
    "Refer",
    "Accept",
    "Decline",
    "Emergency access",
    "Language",
    "Change",
]


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_french_is_complete():
    po = _catalogue("fr")
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", ["pt", "ar"])
def test_frontline_pages_are_translated(language):
    po = _catalogue(language)
    translated = {e.msgid for e in po.translated_entries()}
    missing = [m.lower() for m in FRONTLINE if m not in translated and m.lower() not in translated]
    assert missing == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", ["fr", "pt", "ar"])
def test_compiled_catalogues_are_shipped_and_current(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"run compilemessages: {mo_path} is missing"

    def pairs(catalogue):
        return {
            (e.msgid, e.msgstr or str(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if e.msgid and (e.msgstr or e.msgstr_plural)
        }

    stale = pairs(polib.pofile(str(po_path))) ^ pairs(polib.mofile(str(mo_path)))
    assert not stale, f"run compilemessages: {mo_path} differs from its .po"


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)
def test_catalogues_hold_every_marked_string():
    """Extract the strings afresh into a scratch locale and compare with French."""
    scratch = LOCALE / "zz"
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                "zz",
                "--no-location",
                "--ignore=.venv",
                "--ignore=corridor/*/tests/*",
            ],
            cwd=Path(settings.BASE_DIR).parent,
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "corridor.settings_test"},
        )
        extracted = {e.msgid for e in polib.pofile(str(scratch / "LC_MESSAGES" / "django.po"))}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    known = {e.msgid for e in _catalogue("fr") if not e.obsolete}
    assert sorted(extracted - known) == [], "run makemessages -l fr -l pt -l ar and translate"


def test_strings_are_marked_under_names_makemessages_knows():
    """`makemessages` finds `_`, `gettext`, `gettext_lazy`, `ngettext`…, not an alias such as
    `_lazy`: a string marked under another name is never offered to translators."""
    import re

    known = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
    known |= {"pgettext_lazy", "npgettext", "npgettext_lazy", "gettext_noop"}
    alias = re.compile(r"from django\.utils\.translation import .*\b(\w+) as (\w+)")
    root = Path(settings.BASE_DIR)  # the corridor package
    found = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = alias.search(line)
            if match and match.group(2) not in known:
                found.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert found == []
