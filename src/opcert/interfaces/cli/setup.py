"""init, serve, demo."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from opcert.bootstrap import initialise
from opcert.interfaces import log_privacy
from opcert.interfaces.cli.context import domain_errors, fail, platform, ready_platform
from opcert.interfaces.cli.production import REFUSED_COMMANDS, write_production_env
from opcert.services.verification import publication

console = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("demo")(demo)


def init(
    production: bool = typer.Option(
        False,
        "--production",
        help="只生成生产环境设置（新的随机密钥），不动数据库 / only generate production settings "
        "with fresh secrets; the database is left alone",
    ),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        dir_okay=False,
        help="与 --production 一起：写入此文件（0600）/ with --production: write this file (0600)",
    ),
) -> None:
    """创建数据目录、迁移数据库、生成开发密钥（可重复运行）/ create data dir, migrate, generate keys."""
    if production:
        write_production_env(output)
        return
    if output is not None:
        fail("-o 只能与 --production 一起使用 / -o goes with --production")
    current = platform()
    with domain_errors():
        created = initialise(current)
    fingerprint = publication.root_fingerprint(current.ctx)
    where = current.settings.resolved_database_url.split("@")[-1]
    console.print(f"数据库已就绪 / database ready: {where}")
    console.print(f"新生成密钥 / keys created: {len(created)}")
    console.print(f"国家根公钥指纹 / root key fingerprint: {fingerprint}")
    if current.settings.env == "development":
        console.print(
            "[yellow]开发环境：密钥口令为开发默认值，不可用于生产 / development passphrase, "
            "not for production[/yellow]"
        )


def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址 / bind address"),
    port: int = typer.Option(8000, help="端口 / port"),
    workers: int = typer.Option(1, min=1, help="进程数 / worker processes"),
) -> None:
    """启动 API 与网页服务 / serve the API and web pages."""
    ready_platform()
    uvicorn.run(
        "opcert.interfaces.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        log_config=log_privacy.uvicorn_log_config(),  # ID numbers masked, names removed
    )


def demo() -> None:
    """载入演示数据 / load a realistic demonstration data set."""
    from opcert.services.demo import load_demo

    current = ready_platform()
    if current.settings.env == "production":  # the guard refuses first; never write demo data
        fail(REFUSED_COMMANDS["demo"])
    with domain_errors():
        summary = load_demo(current.ctx)
    for line in summary:
        console.print(line)
