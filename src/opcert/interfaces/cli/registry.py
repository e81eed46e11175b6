"""institutions, exam-points, officers, authorities."""

from __future__ import annotations

from datetime import date

import typer

from opcert.domain.input_formats import parse_date
from opcert.interfaces.cli.context import domain_errors, ready_platform
from opcert.services.registry import accreditations, lookups
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


# --- holds ---
# The exam-point register (考点认定; decision 0028).


def _items(items: str | None) -> list[str] | None:
    return [part for part in items.split(",") if part.strip()] if items else None


def _date(value: str | None, field: str) -> date | None:
    return parse_date(value, field) if value else None


@exam_points.command("accredit")
def accredit(
    code: str = typer.Argument(..., help="考试点代码 / exam point code"),
    items: str = typer.Option(None, help="项目，如 2.1,2.2（省略为全部）/ items, all if omitted"),
    valid_from: str = typer.Option(None, "--from", help="认定起始日期 / accredited from"),
    valid_to: str = typer.Option(None, "--to", help="认定截止日期 / accredited to"),
    standardised: bool = typer.Option(
        True, "--standardised/--not-standardised", help="标准化考点 / standardised exam point"
    ),
    real_equipment: bool = typer.Option(
        True,
        "--real-equipment/--no-real-equipment",
        help="实操考试使用实物设备（焊接与热切割必需）/ real equipment for the practical",
    ),
    separated: bool = typer.Option(
        True, "--separated/--not-separated", help="考培分离 / examination apart from training"
    ),
) -> None:
    """登记考试点的认定 / record an exam point's accreditation for items."""
    ctx = ready_platform().ctx
    with domain_errors():
        terms = accreditations.Terms(
            standardised,
            real_equipment,
            separated,
            _date(valid_from, "from"),
            _date(valid_to, "to"),
        )
        count = accreditations.accredit(ctx, code=code, items=_items(items), terms=terms)
    typer.echo(f"已登记 {count} 项认定 / {count} accreditation(s) recorded: {code}")


@exam_points.command("withdraw")
def withdraw(
    code: str = typer.Argument(..., help="考试点代码 / exam point code"),
    last_day: str = typer.Option(..., "--to", help="认定最后有效日 / last day accredited"),
    items: str = typer.Option(None, help="项目（省略为全部项目的认定）/ items"),
) -> None:
    """终止考试点的认定 / end an exam point's open accreditations."""
    ctx = ready_platform().ctx
    with domain_errors():
        count = accreditations.withdraw(ctx, code=code, items=_items(items), last_day=last_day)
    typer.echo(f"已终止 {count} 项认定 / {count} accreditation(s) ended: {code}")


@exam_points.command("register")
def register(code: str = typer.Argument(..., help="考试点代码 / exam point code")) -> None:
    """列出考试点的认定记录 / list an exam point's accreditations."""
    ctx = ready_platform().ctx
    with domain_errors():
        entries = accreditations.register_of(ctx, code)
    yes = {True: "是", False: "否"}
    for e in entries:
        typer.echo(
            f"{e.item or '全部项目'}\t{e.valid_from or '—'}\t{e.valid_to or '—'}\t"
            f"标准化:{yes[e.standardised]}\t实物设备:{yes[e.real_equipment]}\t"
            f"考培分离:{yes[e.training_separated]}\t{e.recorded_by}"
        )
