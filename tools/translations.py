"""Keep the Thai catalogue complete.

    python tools/translations.py merge   # extract every string, fold in fragments, write th .po and .mo
    python tools/translations.py check   # list strings that have no Thai yet (exit 1 if any)

Developers write English msgids in the code and their Thai in ``eservice/translations/fragments/*.po``
(one file per area, so that people working at once never edit the same file); ``merge`` folds the
fragments into ``th/LC_MESSAGES/messages.po`` and compiles it. Translations already in the catalogue win
over fragments, so a reviewed wording is not overwritten.
"""

import io
import pathlib
import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "eservice" / "translations"
FRAGMENTS = TRANSLATIONS / "fragments"
PO = TRANSLATIONS / "th" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extract() -> Catalog:
    """Every translatable string in the code and templates, as babel.cfg maps them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="eservice", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _read(path: pathlib.Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale="th")


def _msgid_key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def merge() -> list[str]:
    template = extract()
    known: dict = {}
    for fragment in sorted(FRAGMENTS.glob("*.po")):
        for message in _read(fragment):
            if message.id and message.string:
                known.setdefault(_msgid_key(message), message.string)
    if PO.exists():
        for message in _read(PO):
            if message.id and message.string and not message.fuzzy:
                known[_msgid_key(message)] = message.string  # the catalogue's wording wins
    catalog = Catalog(locale="th", project="eservice", charset="utf-8")
    catalog.plural_forms  # noqa: B018  (Thai: nplurals=1)
    missing = []
    for message in template:
        if not message.id:
            continue
        string = known.get(_msgid_key(message))
        if string is None:
            missing.append(_msgid_key(message))
        catalog.add(message.id, string or ("" if isinstance(message.id, str) else ("",)),
                    flags=message.flags)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(PO, "wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True, width=120)
    with open(MO, "wb") as handle:
        write_mo(handle, catalog)
    return missing


def missing_translations() -> list[str]:
    catalog = _read(PO) if PO.exists() else Catalog(locale="th")
    return [
        _msgid_key(m) for m in extract() if m.id and (m.id not in catalog or not catalog[m.id].string)
    ]


def compiled_matches_source() -> bool:
    """The committed .mo holds exactly what the .po says."""
    buffer = io.BytesIO()
    write_mo(buffer, _read(PO))
    return MO.exists() and MO.read_bytes() == buffer.getvalue()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "merge":
        left = merge()
        print(f"{PO.relative_to(ROOT)} written; {len(left)} strings without Thai")
    else:
        left = missing_translations()
    for msgid in left:
        print("  missing:", msgid)
    sys.exit(1 if left else 0)
