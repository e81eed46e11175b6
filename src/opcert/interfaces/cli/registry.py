"""institutions, exam-points, officers, authorities."""

from __future__ import annotations

import typer

from opcert.interfaces.cli.context import domain_errors, ready_platform
from opcert.services.registry import lookups
from opcert.services.registry import parties as registry

institutions = typer.Typer(
    help="考试与培训机构 / exam and training institutions", no_args_is_help=True
)
exam_points = typer.Typer(help="考试点 / exam points", no_args_is_help=True)
officers = typer.Typer(help="发证机关工作人员 / officers", no_args_is_help=True)
authorities = typer.Typer(help="发证机关 / issuing authorities", no_args_is_help=True)


@institutions.command("add")
def add_institution(
    code: str = typer.Option(..., help="机构代码 / institution code"),
    name: str = typer.Option(..., help="机构名称 / name"),
    region: str = typer.Option(..., help="6位行政区划代码 / 6-digit division code"),
    kind: str = typer.Option(..., help="exam | training"),
    credit_code: str = typer.Option(None, help="统一社会信用代码 / unified social credit code"),
    address: str = typer.Option(None, help="地址 / address"),
) -> None:
    """登记机构；考试机构的 API 密钥只显示一次（最后一行）/ prints an exam institution's API key once."""
    ctx = ready_platform().ctx
    with domain_errors():
        created = registry.add_institution(
            ctx,
            code=code,
            name=name,
            region=region,
            kind=kind,
            credit_code=credit_code,
            address=address,
        )
    typer.echo(f"已登记机构 / registered {created.code}", err=True)
    if created.api_key:
        typer.echo("API 密钥仅显示这一次，请妥善保存 / the API key is shown only once:", err=True)
        typer.echo(created.api_key)


@institutions.command("new-key")
def new_key(code: str = typer.Argument(..., help="机构代码 / institution code")) -> None:
    """为考试机构签发新的 API 密钥 / issue another API key."""
    ctx = ready_platform().ctx
    with domain_errors():
        typer.echo(registry.new_api_key(ctx, code))


@exam_points.command("add")
def add_exam_point(
    institution: str = typer.Option(..., help="所属考试机构代码 / institution code"),
    code: str = typer.Option(..., help="考试点代码 / exam point code"),
    name: str = typer.Option(..., help="名称 / name"),
    region: str = typer.Option(..., help="6位行政区划代码 / division code"),
    items: str = typer.Option(
        None, help="获准考核的项目，如 1.1,1.2（省略为全部）/ items, all if omitted"
    ),
    address: str = typer.Option(None, help="地址 / address"),
) -> None:
    """为考试机构设立考试点 / add an exam point."""
    ctx = ready_platform().ctx
    listed = [part for part in items.split(",") if part.strip()] if items else None
    with domain_errors():
        registry.add_exam_point(
            ctx,
            institution=institution,
            code=code,
            name=name,
            region=region,
            items=listed,
            address=address,
        )
    typer.echo(f"已设立考试点 / exam point added: {code}")


@officers.command("add")
def add_officer(
    username: str = typer.Option(..., help="用户名 / username"),
    region: str = typer.Option(..., help="辖区行政区划代码 / region division code"),
    role: str = typer.Option("approver", help="approver | inspector | analyst | admin"),
) -> None:
    """创建工作人员账号；初始密码只显示一次（最后一行）/ prints the initial password once."""
    ctx = ready_platform().ctx
    with domain_errors():
        password = registry.add_officer(ctx, username=username, region=region, role=role)
    typer.echo(f"已创建账号 / officer created: {username} ({role}, {region})", err=True)
    typer.echo(password)


@authorities.command("list")
def list_authorities() -> None:
    """列出发证机关 / list issuing authorities."""
    for row in lookups.authority_policies(ready_platform().ctx):
        auto = "自动审批" if row.auto_approve else "人工审批"
        typer.echo(f"{row.code}\t{row.name}\t{auto}")


@authorities.command("policy")
def policy(
    issuer: str = typer.Argument(..., help="CN-DIVISION6"),
    auto_approve: bool = typer.Option(
        ..., "--auto-approve/--manual", help="全部核验通过时自动发证"
    ),
) -> None:
    """设置发证机关的自动审批策略 / set the auto-approval policy."""
    ctx = ready_platform().ctx
    with domain_errors():
        registry.set_auto_approve(ctx, issuer, auto_approve)
    typer.echo(f"{issuer}: {'auto-approve' if auto_approve else 'manual review'}")
