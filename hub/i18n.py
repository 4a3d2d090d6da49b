"""Translations: Babel catalogues under hub/locale, chosen per request (or per notification
recipient) through a context var. Core, not web: actions, rules and notifications use it too.

Messages defined at import time are marked with `N_` and translated where they are shown.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-Hans", "en": "en"}

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:
    return message


def language_from_header(header: str | None) -> str | None:
    """The best of our languages for an Accept-Language header, or None when none fits."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag:
            ranked.append((-quality, index, tag.strip()))
    for neg_quality, _index, tag in sorted(ranked):
        if neg_quality == 0:
            break
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, TypeError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return None


def choose_language(user_choice: str | None, session_choice: str | None, header: str | None) -> str:
    for choice in (user_choice, session_choice):
        if choice in LANGUAGES:
            return choice
    return language_from_header(header) or DEFAULT_LANGUAGE
