"""opcert lifecycle … (review, renewal, cancellation, suspension, correction, replacement) and
opcert legacy import FILE.csv. Each command calls one service function and prints one line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from opcert.interfaces.cli.context import domain_errors, ready_platform
from opcert.services.intake.sheets import csv_text
from opcert.services.lifecycle import acts, legacy, renewal, reviews

app = typer.Typer(help="证书生命周期 / certificate lifecycle", no_args_is_help=True)
legacy_app = typer.Typer(help="旧版证书 / card-era certificates", no_args_is_help=True)

NUMBER = typer.Argument(..., metavar="NO", help="证号 / certificate number")
ITEM = typer.Option(..., help="操作项目代码 / item code")


@app.command("review-apply")
def review_apply(
    number: str = NUMBER,
    item: str = ITEM,
    hours: float = typer.Option(..., help="复审培训学时 / training hours"),
    institution: str = typer.Option(..., help="培训机构代码 / training institution"),
    applicant: str = typer.Option("holder", help="holder | employer"),
    authority: str = typer.Option(None, help="受理机关 / authority (CN-…)"),
    workplace: bool = typer.Option(False, help="从业所在地机关 / workplace authority"),
) -> None:
    """申请复审 / apply for the review."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = reviews.apply_for_review(
            ctx,
            number,
            item,
            training_hours=hours,
            training_institution=institution,
            applicant=applicant,
            authority=authority,
            workplace=workplace,
        )
    typer.echo(f"已受理复审 / review filed: due {done.due_on}, decide by {done.decision_due_on}")


@app.command("review-decide")
def review_decide(
    number: str = NUMBER,
    item: str = ITEM,
    passed: bool = typer.Option(..., "--passed/--failed"),
    ground: str = typer.Option(None, help="不合格情形 / Art. 25 ground"),
) -> None:
    """复审决定 / decide the pending review."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = reviews.decide_review(ctx, number, item, passed=passed, ground=ground)
    typer.echo(f"复审 / review: {done.status} {done.reviewed_on or ''} next {done.next_due_on}")


@app.command("renew")
def renew(number: str = NUMBER, item: str = ITEM) -> None:
    """换证 / renew: a new credential with new validity."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = renewal.renew(ctx, number, item)
    typer.echo(f"已换证 / renewed: {done.valid_from} 至 {done.valid_to} ({done.rule_set})")


@app.command("cancel")
def cancel(
    number: str = NUMBER,
    item: str = ITEM,
    ground: str = typer.Option(..., help="death | request | revoked"),
) -> None:
    """注销 / cancel; published in the public list."""
    ctx = ready_platform().ctx
    with domain_errors():
        on = acts.cancel(ctx, number, item, ground)
    typer.echo(f"已注销 / cancelled on {on}")


@app.command("suspend")
def suspend(number: str = NUMBER, item: str = ITEM, reason: str = typer.Option(...)) -> None:
    """暂扣 / suspend (status 3)."""
    ctx = ready_platform().ctx
    with domain_errors():
        acts.suspend(ctx, number, item, reason)
    typer.echo("暂扣 / suspended")


@app.command("reinstate")
def reinstate(number: str = NUMBER, item: str = ITEM, reason: str = typer.Option(...)) -> None:
    """恢复使用 / reinstate (status 0)."""
    ctx = ready_platform().ctx
    with domain_errors():
        acts.reinstate(ctx, number, item, reason)
    typer.echo("已恢复 / reinstated")


@app.command("correct")
def correct(
    number: str = NUMBER, item: str = ITEM, name: str = typer.Option(...), reason: str = "更正"
) -> None:
    """更正姓名 / correct the name: a new version."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = acts.correct(ctx, number, item, name=name, reason=reason)
    typer.echo(f"已更正 / corrected: version {done.version}")


@app.command("replace")
def replace(
    number: str = NUMBER, item: str = ITEM, reason: str = typer.Option(..., help="lost | damaged")
) -> None:
    """补证 / replace: a new version, the old one superseded."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = acts.replace(ctx, number, item, reason)
    typer.echo(f"已补证 / replaced: version {done.version}")


@legacy_app.command("import")
def legacy_import(path: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """导入旧版证书 CSV / import card-era certificates from CSV."""
    ctx = ready_platform().ctx
    with domain_errors():
        text = csv_text(path.read_bytes())  # UTF-8 or GBK/GB18030, as Excel saves it
        done = legacy.import_legacy_csv(ctx, text, source=path.name)
    for error in done.errors:
        typer.echo(json.dumps(error, ensure_ascii=False), err=True)
    typer.echo(
        f"导入 / imported {done.imported}, 跳过 / skipped {done.skipped}, "
        f"错误 / errors {len(done.errors)}"
    )


reminders_app = typer.Typer(help="到期提醒 / reminders", no_args_is_help=True)


@reminders_app.command("run")
def reminders_run() -> None:
    """发送今日到期的提醒 / plan and send the reminders due under the clock, through the channels
    the settings configure (email: OPCERT_SMTP_*; SMS: OPCERT_SMS_GATEWAY=http); a channel
    without one stays queued."""
    from opcert.services.lifecycle import reminders

    ctx = ready_platform().ctx
    with domain_errors():
        planned, sent = reminders.run(ctx, ctx.notifiers)
    typer.echo(f"新提醒 / planned {planned}, 已发送 / sent {sent}")
