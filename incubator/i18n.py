"""Translations: the active locale per request, gettext for code and templates.

Message ids are English; zh_CN is the default locale. Catalogs are read from the .po
files at start-up, so no compiled .mo files are committed or built.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
CATALOG_DIR = Path(__file__).resolve().parent / "locale"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    path = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: object) -> str:
    """The message in the active locale, with %(name)s placeholders filled from params."""
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext_raw(singular: str, plural: str, n: int) -> str:
    """The plural form for n, unformatted (Jinja's i18n extension fills %(num)d)."""
    return translations(get_locale()).ngettext(singular, plural, n)


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    return ngettext_raw(singular, plural, n) % {"num": n, **params}


_ = gettext


def normalise(tag: str | None) -> str | None:
    """One of LOCALES for a tag such as zh-CN, zh-Hans, en-US, else None."""
    if not tag:
        return None
    tag = tag.strip().replace("-", "_")
    if tag in LOCALES:
        return tag
    language = tag.split("_")[0].lower()
    if language == "zh":
        return "zh_CN"
    if language == "en":
        return "en"
    return None


def negotiate(saved: str | None, accept_language: str | None) -> str:
    """The user's saved choice, else the browser's Accept-Language, else zh_CN."""
    if saved and (chosen := normalise(saved)):
        return chosen
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        quality = 1.0
        for param in pieces[1:]:
            key, _sep, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if pieces[0]:
            weighted.append((-quality, index, pieces[0]))
    for _q, _i, tag in sorted(weighted):
        if -_q > 0 and (chosen := normalise(tag)):
            return chosen
    return DEFAULT_LOCALE


def html_lang(locale: str) -> str:
    return "zh-CN" if locale == "zh_CN" else "en"


def babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)
