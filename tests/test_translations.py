"""Every string a person can see has its Chinese, and the language is chosen as promised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hub.i18n import choose_language, language_from_header

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "hub/locale/zh/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "in_language": (2,)}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def extracted_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        # A plural message is found under its singular form.
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_translated_into_chinese() -> None:
    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file)
    missing = []
    for message_id in sorted(extracted_messages()):
        entry = catalogue.get(message_id)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message_id)
            continue
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(translations):
            missing.append(message_id)
        source = " ".join(entry.id) if isinstance(entry.id, tuple) else entry.id
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) == set(PLACEHOLDER.findall(source)), (
                message_id
            )
    assert missing == [], f"{len(missing)} messages lack Chinese (run make messages): {missing}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,en;q=0.5,zh;q=0.4", "en"),
        ("zh-TW", "zh"),
        ("de, *;q=0.1", None),
        ("en;q=0, zh", "zh"),
        ("", None),
        ("garbage;;q=x,,", None),
    ],
)
def test_language_from_accept_language(header: str, expected: str | None) -> None:
    assert language_from_header(header) == expected


def test_a_user_choice_beats_the_session_and_the_header() -> None:
    assert choose_language("en", "zh", "zh-CN") == "en"
    assert choose_language("", "en", "zh-CN") == "en"
    assert choose_language("", None, "en-GB") == "en"
    assert choose_language("", None, None) == "zh"
