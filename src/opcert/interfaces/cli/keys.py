"""keys rotate / revoke / root / list; trust export."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from opcert.credential.pinning import grouped
from opcert.interfaces.cli.context import domain_errors, fail, ready_platform
from opcert.services.kernel import trust as trust_service
from opcert.services.verification import publication

keys = typer.Typer(help="签名密钥 / signing keys", no_args_is_help=True)
trust = typer.Typer(help="信任列表 / trust material for offline verifiers", no_args_is_help=True)


@keys.command("rotate")
def rotate(
    issuer: str = typer.Option(..., help="CN-DIVISION6，根密钥为 CN / CN for the root"),
) -> None:
    """启用新签名密钥，旧密钥退役、已签证照仍有效 / activate a new key; the old one retires."""
    ctx = ready_platform().ctx
    with domain_errors():
        old, new = trust_service.rotate(ctx, issuer)
    typer.echo(f"{issuer}: {old or '-'} -> {new}")


@keys.command("revoke")
def revoke(
    kid: str = typer.Argument(..., help="密钥标识 / kid (base64url)"),
    at: datetime = typer.Option(None, help="泄露时间（默认现在）/ compromise instant, default now"),
    resign: bool = typer.Option(True, help="用新密钥重签受影响证照 / re-sign affected credentials"),
) -> None:
    """标记密钥泄露：此刻之后签发的证照核验为 KEY_REVOKED / mark a key compromised."""
    ctx = ready_platform().ctx
    if at is not None and at.tzinfo is None:
        fail("--at 需要带时区，如 2026-11-20T10:00:00+08:00 / --at needs a time zone")
    with domain_errors():
        report = trust_service.compromise(ctx, kid, at, resign=resign)
    typer.echo(f"已吊销密钥 / key revoked: {kid}; 重签 / re-signed: {report}")


@keys.command("root")
def root(
    jwk: bool = typer.Option(False, "--jwk", help="以 JWK 输出 / print as JWK"),
    fingerprint: bool = typer.Option(
        False, "--fingerprint", help="打印根公钥指纹以供公布 / print the fingerprint to publish"
    ),
) -> None:
    """打印国家根公钥指纹（默认）或 JWK / print the root key's fingerprint (default) or JWK.

    The fingerprint's first line is the spec's form (lowercase hex SHA-256 of the SPKI DER,
    what ``opcert verify --root-fingerprint`` takes); the second line the same digits in
    groups of four, for reading aloud.
    """
    ctx = ready_platform().ctx
    with domain_errors():
        if jwk and not fingerprint:
            typer.echo(json.dumps(publication.root_key(ctx), separators=(",", ":")))
            return
        printed = publication.root_fingerprint(ctx)
    typer.echo(printed)
    typer.echo(grouped(printed))


@keys.command("list")
def list_keys() -> None:
    """列出全部密钥 / list every key."""
    for info in trust_service.keys(ready_platform().ctx):
        typer.echo(
            f"{info.kid}\t{info.issuer}\t{info.alg}\t{info.status}\t{info.created_at:%Y-%m-%d}"
        )


@trust.command("export")
def export(directory: Path = typer.Argument(..., metavar="DIR")) -> None:
    """写出离线核验所需文件 / write trust-list.jws, root-key.jwk and status/<list_id>.jws.

    root-key.jwk is for convenience only: a verifier trusts it only when its fingerprint is
    pinned (opcert keys root --fingerprint, published out of band).
    """
    ctx = ready_platform().ctx
    with domain_errors():
        written = trust_service.export(ctx, directory)
    typer.echo(f"已写入 {written} 个文件 / {written} files written to {directory}")
