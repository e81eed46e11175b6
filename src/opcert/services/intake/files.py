"""Result files (.xlsx, .csv, .json) in, error sheets out.

``read_rows`` reads a file in a child process under the upload limits (``services.uploads``);
the parsing itself is ``sheets.parse_rows``. ``submit_file`` submits its rows in batches of
what one request may carry, so the upload page and ``opcert results import`` take the same
files. ``template_sheet`` is the sheet to fill in; ``error_sheet`` writes the rows to fix and send
again under the same Chinese headers, with every text cell safe from formula injection.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl.utils import get_column_letter

from opcert.services.intake.pipeline import RowOutcome, submit_results
from opcert.services.intake.sheets import DIGIT_FIELDS, FORMATS, HEADER_ALIASES, normalise_header
from opcert.services.intake.validation import FIELD_LABELS, FIELDS
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.kernel.spreadsheet_cells import append_row
from opcert.services.uploads.limits import SHEET_LIMITS, UploadLimits, too_large
from opcert.services.uploads.worker import run_isolated

REASON_HEADER = "错误原因"
# Cells typed as text: digits that must stay digits, and codes Excel would turn into numbers or
# dates (item 1.2, exam date 2026-11-19 typed back by hand).
TEXT_FIELDS = frozenset({"ref", "id_number", "phone", "item", "exam_point"})
TEXT_FORMAT = "@"
TEMPLATE_ROWS = 500
WIDTHS = {"id_number": 22, "name": 14, "phone": 14, "exam_date": 12, "reason": 60}
# What Excel shows for a number it cut to 15 significant digits (sheets.py makes it this text).
EXCEL_NUMBER = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")

__all__ = [
    "FORMATS",
    "HEADER_ALIASES",
    "error_sheet",
    "normalise_header",
    "read_rows",
    "submit_file",
    "template_sheet",
]


def read_rows(name: str, data: bytes, limits: UploadLimits = SHEET_LIMITS) -> list[Any]:
    """Rows of a results file, read in a child process; raises FieldError("file", ...) naming
    the limit or the fault (``UploadTooLarge`` over the byte limit, before anything is read)."""
    if len(data) > limits.max_bytes:
        raise too_large("file", limits.max_bytes)
    rows: list[Any] = run_isolated("sheet", name, data, field="file", limits=limits)
    return rows


def submit_file(
    ctx: ServiceContext,
    principal: InstitutionPrincipal,
    rows: Sequence[object],
    progress: Callable[[int], None] | None = None,
) -> list[RowOutcome]:
    """Every row of a results file, one outcome per row in order. The rows go in batches of
    ``ctx.batch_limit`` (what one API request may carry), each its own transaction, as an
    institution's system would send them; ``progress`` is told each batch's size when it is
    done. A batch refused whole (a ref reused for other content) stops the file there: the
    batches before it stay stored, and sending the file again replays their outcomes."""
    outcomes: list[RowOutcome] = []
    for start in range(0, len(rows), ctx.batch_limit):
        batch = list(rows[start : start + ctx.batch_limit])
        outcomes.extend(submit_results(ctx, principal, batch))
        if progress is not None:
            progress(len(batch))
    return outcomes


def template_sheet() -> bytes:
    """The upload template: one header row of the Chinese column names, the columns of numbers
    that must keep their digits formatted as text for the rows to come."""
    book, sheet = _sheet()
    append_row(sheet, [FIELD_LABELS[field] for field in FIELDS])
    for row in range(2, TEMPLATE_ROWS + 2):
        for column, field in enumerate(FIELDS, start=1):
            if field in TEXT_FIELDS:
                sheet.cell(row, column).number_format = TEXT_FORMAT
    return _saved(book)


def error_sheet(rows: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> bytes:
    """An .xlsx of the rows to fix and send again: the template's Chinese headers and a last
    column 错误原因. Only rows the platform refused (``rejected``): a failed exam was accepted
    as a result, and sending it again would file another attempt. An ID number whose digits
    Excel had lost is left empty, not written back as ``4.404E+17``; the columns of digits are
    text cells, so what is typed into them keeps every digit."""
    book, sheet = _sheet()
    append_row(sheet, [*(FIELD_LABELS[field] for field in FIELDS), REASON_HEADER])
    for row, outcome in zip(rows, outcomes, strict=False):
        if outcome.get("outcome") != "rejected":
            continue
        values = [_written_back(row, field) for field in FIELDS]
        append_row(sheet, [*values, _reasons(outcome)])
        for column, field in enumerate(FIELDS, start=1):
            if field in TEXT_FIELDS:
                sheet.cell(sheet.max_row, column).number_format = TEXT_FORMAT
    return _saved(book)


def _written_back(row: object, field: str) -> object:
    value = row.get(field) if isinstance(row, dict) else None
    if field in DIGIT_FIELDS and isinstance(value, str) and EXCEL_NUMBER.fullmatch(value.strip()):
        return None  # the digits Excel lost: the number shown would be someone else's
    return value


def _reasons(outcome: dict[str, Any]) -> str:
    errors = outcome.get("errors") or []
    problems = [
        f"{FIELD_LABELS.get(e.get('field', ''), e.get('field', ''))}：{e.get('message', '')}"
        for e in errors
    ]
    return "；".join(problems) or "；".join(r["message"] for r in outcome.get("reasons", []))


def _sheet() -> tuple[Any, Any]:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    sheet.freeze_panes = "A2"
    for column, field in enumerate([*FIELDS, "reason"], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(field, 12)
    return book, sheet


def _saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
