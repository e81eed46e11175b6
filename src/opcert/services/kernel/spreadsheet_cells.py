"""Cells of the sheets opcert writes (error sheets, CSV reports) that no spreadsheet runs as a
formula (OWASP "CSV injection").

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice. In an .xlsx such a text is stored as a string cell with the quote-prefix
style (Excel's own leading apostrophe: shown and re-read as the same text, never evaluated); in
a CSV it gets a leading apostrophe. A text longer than an Excel cell holds (32,767 characters) is
cut, with a mark saying so, so the sheet still opens. Numbers stay numbers: ``-5`` as a number, or as a text that
is exactly a decimal number, is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767  # the most characters an Excel cell holds
CUT_MARK = "…（已截断）"
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would take ``text`` for a formula (a plain number is not one)."""
    return text.startswith(FORMULA_START) and not NUMBER.fullmatch(text)


def csv_cell(value: object) -> object:
    """``value`` for a CSV writer: a formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_row(values: Sequence[object]) -> list[object]:
    return [csv_cell(value) for value in values]


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append ``values`` to ``sheet``; every text is a string cell (never a formula or an error
    value), formula-like ones carry the quote prefix, characters XML cannot hold become U+FFFD."""
    sheet.append([_storable(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if is_formula_like(cell.value):
                cell.quotePrefix = True


def _storable(value: object) -> object:
    if value is None or isinstance(value, (int, float)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value if isinstance(value, str) else str(value))
    if len(text) > MAX_CELL:
        # Excel refuses to open a sheet with a longer cell: cut it, and say so in the cell.
        text = text[: MAX_CELL - len(CUT_MARK)] + CUT_MARK
    return text
