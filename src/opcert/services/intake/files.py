"""Result files (.xlsx, .csv, .json) in, error sheets out.

``read_rows`` reads a file in a child process under the upload limits (``services.uploads``);
the parsing itself is ``sheets.parse_rows``. ``error_sheet`` writes the rows that were not
accepted, with every text cell safe from formula injection.
"""

from __future__ import annotations

import io
from typing import Any

from opcert.services.intake.sheets import FORMATS, HEADER_ALIASES, normalise_header
from opcert.services.intake.validation import FIELDS
from opcert.services.kernel.spreadsheet_cells import append_row
from opcert.services.uploads.limits import SHEET_LIMITS, UploadLimits, too_large
from opcert.services.uploads.worker import run_isolated

__all__ = ["FORMATS", "HEADER_ALIASES", "error_sheet", "normalise_header", "read_rows"]


def read_rows(name: str, data: bytes, limits: UploadLimits = SHEET_LIMITS) -> list[Any]:
    """Rows of a results file, read in a child process; raises FieldError("file", ...) naming
    the limit or the fault (``UploadTooLarge`` over the byte limit, before anything is read)."""
    if len(data) > limits.max_bytes:
        raise too_large("file", limits.max_bytes)
    rows: list[Any] = run_isolated("sheet", name, data, field="file", limits=limits)
    return rows


def error_sheet(rows: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> bytes:
    """An .xlsx of the rows that were not accepted, each with its errors, for correction."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    # The API's own field names, so the corrected sheet can be uploaded again as it is.
    fields = list(FIELDS)
    append_row(sheet, [*fields, "outcome", "errors"])
    for row, outcome in zip(rows, outcomes, strict=False):
        if outcome["outcome"] in ("rejected", "failed"):
            problems = "; ".join(f"{e['field']}: {e['message']}" for e in outcome.get("errors", []))
            if not problems:
                problems = "; ".join(r["message"] for r in outcome.get("reasons", []))
            values = [row.get(f) if isinstance(row, dict) else None for f in fields]
            append_row(sheet, [*values, outcome["outcome"], problems])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
