"""certificates export / revoke / show."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from opcert.interfaces.cli.context import domain_errors, fail, ready_platform
from opcert.services.lifecycle import acts
from opcert.services.verification import query as service

app = typer.Typer(help="证书 / certificates", no_args_is_help=True)


@app.command("export")
def export(
    number: str = typer.Argument(..., metavar="NO", help="证号 / certificate number (T + ID)"),
    item: str = typer.Option(..., help="操作项目代码 / item code, e.g. 1.2"),
    fmt: str = typer.Option("sc1", "--format", help="sc1 | pdf | png"),
    output: Path = typer.Option(None, "-o", "--output", help="输出文件 / output file"),
) -> None:
    """导出当前电子证照 / write the current credential."""
    if output is not None:
        _check_output(output)
    ctx = ready_platform().ctx
    with domain_errors():
        if fmt == "sc1":
            text = service.current_credential(ctx, number, item)
            if output is None:
                typer.echo(text)
            else:
                _write(output, (text + "\n").encode("ascii"))
            return
        if fmt == "png":
            data = service.export_png(ctx, number, item)
        elif fmt == "pdf":
            from opcert.services.holders.documents import export_pdf

            data = export_pdf(ctx, number, item)
        else:
            fail("--format 应为 sc1、pdf 或 png / --format must be sc1, pdf or png")
    if output is None:
        fail("pdf 与 png 需要用 -o 指定输出文件 / pdf and png need -o FILE")
    _write(output, data)
    typer.echo(f"已写入 / written: {output}", err=True)


def _check_output(output: Path) -> None:
    """Refuse at once, before any work, an output that cannot be a file we write."""
    if output.is_dir():
        fail(f"-o 指向目录，需要文件名 / -o names a directory, give a file name: {output}")
    if not output.parent.is_dir():
        fail(f"-o 的目录不存在 / the directory of -o does not exist: {output.parent}")


def _write(output: Path, data: bytes) -> None:
    try:
        output.write_bytes(data)
    except OSError as error:
        fail(f"无法写入 / cannot write {output}: {error.strerror or error}")


@app.command("revoke")
def revoke(
    number: str = typer.Argument(..., metavar="NO"),
    item: str = typer.Option(..., help="操作项目代码 / item code"),
    reason: str = typer.Option(..., help="撤销理由 / reason"),
    ground: str = typer.Option(
        None, help="撤销情形 / ground: " + ", ".join(acts.REVOCATION_GROUNDS)
    ),
) -> None:
    """撤销证书，状态列表立即变更 / revoke; the status entry changes at once."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = acts.revoke(ctx, number, item, reason, ground=ground)
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
        found = service.public_query(ctx, id_number, name, asker="cli")
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
