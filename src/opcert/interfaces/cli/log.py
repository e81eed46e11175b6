"""log audit: the transparency log checked and reconciled with the records."""

from __future__ import annotations

import json

import typer

from opcert.interfaces.cli.context import ready_platform
from opcert.services.issuance import log_audit as transparency_log_audit

app = typer.Typer(help="透明日志 / the transparency log of issuance", no_args_is_help=True)


@app.command("audit")
def audit(
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON object"),
) -> None:
    """检查日志与检查点的一致性，并与数据库对账；无发现时退出码为 0 / check the log's
    consistency and reconcile it with the database; exit 0 only when nothing is found."""
    report = transparency_log_audit.audit(ready_platform().ctx)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        for finding in report.findings:
            typer.echo(f"{finding.kind}\t{finding.subject}\t{finding.detail}")
        verdict = (
            "无发现 / nothing found" if report.ok else f"{len(report.findings)} 项发现 / findings"
        )
        typer.echo(
            f"{verdict}: {report.entries} entries, {report.checkpoints} checkpoints, "
            f"{report.credentials} credentials"
        )
    if not report.ok:
        raise typer.Exit(1)
