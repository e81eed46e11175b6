"""Extracting the pages' messages (Chinese ids) from the templates, for the catalogue check."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

WEB_DIR = Path(__file__).parent
METHOD_MAP = [("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extract() -> Catalog:
    catalog = Catalog(locale="zh_Hans_CN")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB_DIR), METHOD_MAP, OPTIONS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
