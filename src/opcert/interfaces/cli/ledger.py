"""ledger verify."""

from __future__ import annotations

import typer

from opcert.interfaces.cli.context import ready_platform
from opcert.services import ledger as ledger_service

app = typer.Typer(help="审计账本 / the audit ledger", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """校验哈希链，发现被修改、重排或删除的条目 / detect edited, reordered or deleted entries."""
    ctx = ready_platform().ctx
    with ctx.uow() as uow:
        report = ledger_service.verify(uow)
    for problem in report.problems:
        typer.echo(problem, err=True)
    if not report.ok:
        typer.echo(f"错误 / error: 账本校验失败，共 {report.entries} 条 / ledger broken", err=True)
        raise typer.Exit(1)
    typer.echo(f"账本完整 / ledger intact: {report.entries} entries, head {report.head_hash}")


@app.command("head")
def head() -> None:
    """打印链头哈希，供异地留存 / print the head hash for out-of-band anchoring."""
    ctx = ready_platform().ctx
    with ctx.uow() as uow:
        seq, digest = uow.ledger.head()
    typer.echo(f"{seq}\t{digest}")
