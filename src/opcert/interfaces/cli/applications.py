"""applications list / decide, for officers at the console."""

from __future__ import annotations

import typer

from opcert.interfaces.cli.context import domain_errors, ready_platform
from opcert.services.kernel.principals import OfficerPrincipal
from opcert.services.registry import lookups
from opcert.services.review import decisions as approval

app = typer.Typer(help="发证申请 / applications", no_args_is_help=True)


def _officer(username: str) -> OfficerPrincipal:
    with domain_errors():
        return lookups.officer_named(ready_platform().ctx, username)


@app.command("list")
def list_applications(
    officer: str = typer.Option(..., help="工作人员用户名 / officer username"),
    status: str = typer.Option("in_review", help="状态 / status"),
) -> None:
    """列出辖区内的申请（按期限排序）/ applications in the officer's region."""
    ctx = ready_platform().ctx
    with domain_errors():
        entries = approval.queue(ctx, _officer(officer), status)
    for entry in entries:
        reasons = ",".join(entry.reasons) or "-"
        provisional = "，暂定 / provisional" if entry.provisional else ""
        typer.echo(
            f"{entry.id}\t{entry.name}\t{entry.item_code}\t剩余 {entry.workdays_left} 个工作日"
            f"（{entry.due_on}{provisional}）\t{reasons}"
        )


@app.command("decide")
def decide(
    application_id: str = typer.Argument(...),
    officer: str = typer.Option(..., help="工作人员用户名 / officer username"),
    decision: str = typer.Option(..., help="approve | reject"),
    reason: str = typer.Option(None, help="理由（不予发证时必填）/ reason, required to reject"),
) -> None:
    """审批一份申请 / approve or reject an application."""
    ctx = ready_platform().ctx
    with domain_errors():
        result = approval.decide(ctx, _officer(officer), application_id, decision, reason)
    typer.echo(f"{result.application_id}\t{result.status}\t{result.certificate_no or ''}")
