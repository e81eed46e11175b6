"""synth: the synthetic national data set, with a progress bar."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from opcert.interfaces.cli.context import domain_errors, ready_platform
from opcert.services.synth import synthesise

console = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)


def synth(
    scale: float = typer.Option(
        ..., help="规模：1 = 1800 万持证人 / scale: 1 = 18 million holders"
    ),
    seed: int = typer.Option(0, help="随机种子 / random seed"),
    sample: Path = typer.Option(
        None, dir_okay=False, help="写出 1000 个持证人（id_number,name）CSV / write 1,000 holders"
    ),
    workers: int = typer.Option(
        None,
        min=0,
        max=16,
        help="签名工作进程数，默认每个空闲 CPU 核一个 / signing worker processes "
        "(default: one per spare core)",
    ),
    inject: bool = typer.Option(
        True,
        "--anomalies/--no-anomalies",
        help="注入带标注的异常（默认）/ inject the labelled anomalies (default); "
        "--no-anomalies: data with nothing to find",
    ),
    exams_only: bool = typer.Option(
        False,
        "--exams-only",
        help="只写持证人和考试成绩，不生成证书（用于考试数据分析的基准测试）/ holders and exam "
        "results only, no certificates (for the exam-data analysis benchmark)",
    ),
) -> None:
    """生成全国规模合成数据并写入数据库 / generate synthetic national data into the database."""
    ctx = ready_platform().ctx
    columns = (
        TextColumn("合成 / synthesising"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress, domain_errors():
        task = progress.add_task("synth", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = synthesise(
            ctx,
            scale,
            seed=seed,
            sample=sample,
            progress=advance,
            workers=workers,
            inject=inject,
            exams_only=exams_only,
        )
    rows = ", ".join(f"{table} {count:,}" for table, count in summary.rows.items())
    typer.echo(f"持证人 / holders {summary.holders:,}: {rows}")
    typer.echo(
        f"异常标注 / anomaly labels {summary.anomalies}, 状态列表 / status lists {summary.status_lists}"
    )
    typer.echo(f"ID digest {summary.id_digest}")
