"""Result files (.xlsx, .csv, .json) in, error sheets out.

``read_rows`` reads a file in a child process under the upload limits (``services.uploads``);
the parsing itself is ``sheets.parse_rows``. ``submit_file`` submits its rows in batches of
what one request may carry, so the upload page and ``opcert results import`` take the same
files. ``error_sheet`` writes the rows that were not accepted, with every text cell safe from
formula injection.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from opcert.services.intake.pipeline import RowOutcome, submit_results
from opcert.services.intake.sheets import FORMATS, HEADER_ALIASES, normalise_header
from opcert.services.intake.validation import FIELDS
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.kernel.spreadsheet_cells import append_row
from opcert.services.uploads.limits import SHEET_LIMITS, UploadLimits, too_large
from opcert.services.uploads.worker import run_isolated

__all__ = [
    "FORMATS",
    "HEADER_ALIASES",
    "error_sheet",
    "normalise_header",
    "read_rows",
    "submit_file",
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
