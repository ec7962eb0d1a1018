"""Every text a person can see exists in Korean (the default language) and English (the msgid)."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from pcc_portal.exceptions import ApplicationError, messages_in_both

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
SOURCES = (
    "pcc_portal",
    "personal_data",
    "issuance",
    "verification",
    "notifications",
    "staff",
    "audit",
    "clearance",
    "templates",
)


def test_every_korean_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))
    assert len(po) > 50
    assert not [e.msgid for e in po.untranslated_entries()], "untranslated entries"
    assert not [e.msgid for e in po if "fuzzy" in e.flags], "fuzzy entries"


def test_compiled_catalogue_matches_the_po_file():
    def texts(entries):
        return {e.msgid: e.msgstr or tuple(e.msgstr_plural[k] for k in sorted(e.msgstr_plural)) for e in entries}

    po = texts(e for e in polib.pofile(str(PO)) if not e.obsolete)
    mo = texts(e for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgid)
    assert mo == po, "run: python manage.py compilemessages -l ko --ignore=.venv"


def test_every_marked_string_in_the_code_is_in_the_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is needed (Debian package gettext); `make test` installs it")
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    (tmp_path / "locale").mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
            call_command("makemessages", locale=["ko"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "locale/ko/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new entries"


def test_domain_errors_render_in_both_languages():
    error = ApplicationError(
        "PCC_ALREADY_HOLDS_CODE",
        translation.gettext_lazy("You already have a Personal Customs Code. Look it up instead of applying again."),
    )
    both = error.messages()
    assert both["en"].startswith("You already have")
    assert both["ko"].startswith("이미 개인통관고유부호가")
    assert messages_in_both(translation.gettext_lazy("Passport")) == {"ko": "여권", "en": "Passport"}
