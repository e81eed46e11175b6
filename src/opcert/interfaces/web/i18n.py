"""Babel message catalogues for the pages: Chinese message ids, an English catalogue.

The ``.po`` files are compiled in memory when the app starts (no build step, no committed
``.mo``); the Chinese pages use the message ids as they are.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang``; Chinese (the source language) needs none."""
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalogue_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)
