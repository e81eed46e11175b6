"""results import."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from opcert.interfaces.cli.context import domain_errors, fail, ready_platform
from opcert.services.intake.files import read_rows, submit_file
from opcert.services.kernel.principals import InstitutionPrincipal
from opcert.services.kernel.spreadsheet_cells import csv_row
from opcert.services.registry import lookups
from opcert.services.uploads.limits import SHEET_LIMITS, too_large

app = typer.Typer(help="考试成绩 / exam results", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)


def _principal(code: str | None) -> InstitutionPrincipal:
    ctx = ready_platform().ctx
    if code is not None:
        with domain_errors():
            return lookups.exam_institution(ctx, code)
    sole = lookups.sole_exam_institution(ctx)
    if sole is None:
        raise fail("请用 --institution 指明考试机构 / name the exam institution with --institution")
    return sole


@app.command("import")
def import_results(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".xlsx / .csv / .json"),
    institution: str = typer.Option(None, help="考试机构代码 / exam institution code"),
    report: Path = typer.Option(None, help="逐行结果写入 CSV / write the per-row report as CSV"),
) -> None:
    """导入考试成绩，显示进度并逐行报告结果 / import results with a progress bar and a per-row report."""
    ctx = ready_platform().ctx
    principal = _principal(institution)
    with domain_errors():
        rows = read_rows(file.name, _read_limited(file, SHEET_LIMITS.max_bytes))
    columns = (
        TextColumn("导入 / importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress, domain_errors():
        task = progress.add_task("import", total=len(rows))
        done = submit_file(ctx, principal, rows, lambda n: progress.advance(task, n))
    _report([o.to_json() for o in done], report)


def _read_limited(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refused (as the upload page refuses it) past ``max_bytes``."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large("file", max_bytes)
    return data


def _report(outcomes: list[dict[str, Any]], path: Path | None) -> None:
    target = path.open("w", newline="", encoding="utf-8") if path else sys.stdout
    writer = csv.writer(target)
    writer.writerow(["row", "ref", "outcome", "certificate_no", "application_id", "errors"])
    # Refs and messages echo what the institution sent: no cell may open as a formula.
    for number, outcome in enumerate(outcomes, start=1):
        errors = outcome.get("errors") or outcome.get("reasons") or []
        text = "; ".join(f"{e.get('field', e.get('reason', ''))}: {e['message']}" for e in errors)
        writer.writerow(
            csv_row(
                [
                    number,
                    outcome.get("ref"),
                    outcome["outcome"],
                    outcome.get("certificate_no", ""),
                    outcome.get("application_id", ""),
                    text,
                ]
            )
        )
    if path:
        target.close()
    counts = Counter(str(o["outcome"]) for o in outcomes)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    console.print(f"共 {len(outcomes)} 条 / {len(outcomes)} rows: {summary}")
