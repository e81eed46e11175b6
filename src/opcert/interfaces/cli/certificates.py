"""certificates export / revoke / show."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from opcert.interfaces.cli.context import domain_errors, fail, ready_platform
from opcert.services import certificates as service

app = typer.Typer(help="证书 / certificates", no_args_is_help=True)


@app.command("export")
def export(
    number: str = typer.Argument(..., metavar="NO", help="证号 / certificate number (T + ID)"),
    item: str = typer.Option(..., help="操作项目代码 / item code, e.g. 1.2"),
    fmt: str = typer.Option("sc1", "--format", help="sc1 | pdf | png"),
    output: Path = typer.Option(None, "-o", "--output", help="输出文件 / output file"),
) -> None:
    """导出当前电子证照 / write the current credential."""
    ctx = ready_platform().ctx
    with domain_errors():
        if fmt == "sc1":
            text = service.current_credential(ctx, number, item)
            if output is None:
                typer.echo(text)
            else:
                output.write_text(text + "\n", encoding="ascii")
            return
        if fmt == "png":
            data = service.export_png(ctx, number, item)
        elif fmt == "pdf":
            from opcert.services.documents import export_pdf

            data = export_pdf(ctx, number, item)
        else:
            fail("--format 应为 sc1、pdf 或 png / --format must be sc1, pdf or png")
    if output is None:
        fail("pdf 与 png 需要用 -o 指定输出文件 / pdf and png need -o FILE")
    output.write_bytes(data)
    typer.echo(f"已写入 / written: {output}", err=True)


@app.command("revoke")
def revoke(
    number: str = typer.Argument(..., metavar="NO"),
    item: str = typer.Option(..., help="操作项目代码 / item code"),
    reason: str = typer.Option(..., help="撤销理由 / reason"),
    ground: str = typer.Option(
        None, help="撤销情形 / ground: " + ", ".join(service.REVOCATION_GROUNDS)
    ),
) -> None:
    """撤销证书，状态列表立即变更 / revoke; the status entry changes at once."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = service.revoke(ctx, number, item, reason, ground=ground)
    note = (
        f"，{done.banned_until} 前不得重新申请 / banned until {done.banned_until}"
        if done.banned_until
        else ""
    )
    typer.echo(f"已撤销 / revoked: {done.number} {done.item}{note}")


@app.command("show")
def show(
    id_number: str = typer.Argument(..., help="证件号码 / ID number"),
    name: str = typer.Argument(..., help="姓名 / name"),
) -> None:
    """按证件号码和姓名查询 / the public query."""
    ctx = ready_platform().ctx
    with domain_errors():
        found = service.public_query(ctx, id_number, name)
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
