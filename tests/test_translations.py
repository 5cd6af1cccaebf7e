"""Thai is the default language: every string in the code has its Thai, and the compiled catalogue is current."""

import importlib.util
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "tools" / "translations.py")
translations = importlib.util.module_from_spec(spec)
spec.loader.exec_module(translations)

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")


def test_every_string_has_its_thai():
    missing = translations.missing_translations()
    assert missing == [], f"{len(missing)} strings without Thai; run python tools/translations.py merge: {missing[:10]}"


def test_compiled_catalogue_matches_its_source():
    assert translations.compiled_matches_source(), "run python tools/translations.py merge to compile the .mo"


def test_placeholders_survive_translation():
    from babel.messages.pofile import read_po

    with open(translations.PO, "rb") as handle:
        catalog = read_po(handle, locale="th")
    wrong = []
    for message in catalog:
        if not message.id or not message.string or not isinstance(message.id, str):
            continue
        if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            wrong.append(message.id)
    assert wrong == []
