"""Babel message catalogues for the pages (Chinese message ids, an English catalogue), the
catalogue's English names of operation items, and the language switch's link.

The ``.po`` files are compiled in memory when the app starts (no build step, no committed
``.mo``); the Chinese pages use the message ids as they are.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request
from starlette.routing import Match

from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, Category, Item, catalogue
from opcert.domain.errors import FieldError

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


def item_name(lang: str, code: str | None, printed: str | None) -> str:
    """An operation item's name in ``lang``: in English the catalogue's own English name when
    the printed name is the catalogue's item of that code; otherwise the name as printed (a
    safety-manager certificate's personnel type, say, has no catalogue entry)."""
    return _catalogued(lang, code, printed, kind="item")


def category_name(lang: str, code: str | None, printed: str | None) -> str:
    """A category's name in ``lang``, the same way as ``item_name``."""
    return _catalogued(lang, code, printed, kind="category")


def _catalogued(lang: str, code: str | None, printed: str | None, *, kind: str) -> str:
    shown = printed or code or ""
    if lang == DEFAULT_LANGUAGE or not code:
        return shown
    book = catalogue(CURRENT_CATALOGUE_VERSION)
    try:
        entry: Item | Category = book.item(code) if kind == "item" else book.category(code)
    except FieldError:
        return shown
    return entry.name_en if printed in (None, "", entry.name_zh) else shown


def switch_url(request: Request, lang: str) -> str:
    """The link of the language switch: this page (its path and query) in the other language.
    After a form was posted, the page's GET (home when the path has none). Always a path on this
    site: leading slashes collapse to one and a backslash is escaped, so a crafted path
    (``//host``, ``/\\host``) cannot become a link to another host."""
    other = "zh" if lang == "en" else "en"
    path = "/" + request.url.path.lstrip("/")
    query = [
        (key, value)
        for key, value in parse_qsl(request.url.query, keep_blank_values=True)
        if key != "lang"
    ]
    if request.method != "GET":
        query = []
        if not has_page(request, path):
            path = "/"
    return quote(path, safe="/") + "?" + urlencode([*query, ("lang", other)])


def has_page(request: Request, path: str) -> bool:
    """True when a GET route of the app serves ``path`` (the GET page of a posted form)."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    # A route of another method matches PARTIAL only.
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)
