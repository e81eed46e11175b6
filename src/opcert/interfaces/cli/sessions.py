"""institutions add-user, officers password, sessions revoke: accounts and the sessions they end."""

from __future__ import annotations

import typer

from opcert.interfaces.cli.context import domain_errors, fail, ready_platform
from opcert.services.kernel import accounts

sessions_app = typer.Typer(help="登录会话 / sessions", no_args_is_help=True)


def add_user(
    institution: str = typer.Option(..., help="考试机构代码 / exam institution code"),
    username: str = typer.Option(..., help="用户名 / username"),
) -> None:
    """开设机构网页账号；初始密码只显示一次（最后一行）/ prints the initial password once."""
    ctx = ready_platform().ctx
    with domain_errors():
        password = accounts.add_institution_user(ctx, institution=institution, username=username)
    typer.echo(f"已开设机构网页账号 / institution web user added: {username}", err=True)
    typer.echo(password)


def officer_password(username: str = typer.Option(..., help="用户名 / username")) -> None:
    """为工作人员设置新密码并结束其全部登录；新密码只显示一次（最后一行）/ sets a new password,
    ends every session of the officer, prints the password once."""
    ctx = ready_platform().ctx
    with domain_errors():
        password, ended = accounts.set_officer_password(ctx, username)
    typer.echo(
        f"已设置新密码，结束 {ended} 个登录 / new password set, {ended} sessions ended", err=True
    )
    typer.echo(password)


@sessions_app.command("revoke")
def revoke(
    officer: str = typer.Option(None, help="工作人员用户名 / officer username"),
    holder: str = typer.Option(None, help="持证人证件号码 / holder's ID number"),
    institution_user: str = typer.Option(None, help="机构网页用户名 / institution web user"),
) -> None:
    """结束某人的全部登录 / end every session of one officer, holder or institution web user."""
    chosen = [
        (k, v)
        for k, v in (
            ("officer", officer),
            ("holder", holder),
            ("institution-user", institution_user),
        )
        if v
    ]
    if len(chosen) != 1:
        fail(
            "请指定且只指定一个：--officer、--holder 或 --institution-user / "
            "give exactly one of --officer, --holder, --institution-user",
            code=2,
        )
    [(kind, target)] = chosen
    ctx = ready_platform().ctx
    with domain_errors():
        if kind == "officer":
            ended = accounts.revoke_officer(ctx, target)
        elif kind == "holder":
            ended = accounts.revoke_holder(ctx, target)
        else:
            ended = accounts.revoke_institution_user(ctx, target)
    typer.echo(f"已结束 {ended} 个登录 / {ended} sessions ended ({kind} {target})")
