"""Fill msgstr entries of locale/ko/LC_MESSAGES/django.po from a Python dict file, keep the rest.

Usage: python scripts/fill_translations.py TRANSLATIONS.py   (a module defining KO = {msgid: msgstr})
Then: python manage.py compilemessages -l ko --ignore=.venv. `make messages` runs makemessages first.
"""

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def main(source: str) -> int:
    translations = runpy.run_path(source)["KO"]
    po = polib.pofile(str(PO))
    po.metadata.update(
        {
            "Language": "ko",
            "Content-Type": "text/plain; charset=UTF-8",
            "Plural-Forms": "nplurals=1; plural=0;",
        }
    )
    po.metadata_is_fuzzy = False
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    missing = [entry.msgid for entry in po if not entry.msgstr and not entry.obsolete]
    for msgid in missing:
        print(f"untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
