"""verify INPUT [--offline]: an SC1 string, a QR image or a PDF certificate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import typer

from opcert.interfaces.cli.context import fail, platform
from opcert.services.offline import OfflineVerifier, read_credential_from_file


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)


def verify(
    source: str = typer.Argument(
        ..., metavar="INPUT", help="SC1 字符串、二维码图片或 PDF / SC1 text, image or PDF"
    ),
    offline: bool = typer.Option(
        False, "--offline", help="不联网，使用导出的信任材料 / no network"
    ),
    trust_list: Path = typer.Option(
        None, "--trust-list", help="trust-list.jws（默认 数据目录/trust）"
    ),
    status_dir: Path = typer.Option(
        None, "--status-dir", help="状态列表目录 / status list directory"
    ),
    root_key: Path = typer.Option(None, "--root-key", help="固定的根公钥 JWK / pinned root key"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
) -> None:
    """核验电子证照，仅在 VALID 时返回 0 / verify a credential; exit 0 only for VALID."""
    text = _credential_text(source)
    if offline:
        base = platform().settings.data_dir / "trust"
        trust_file = trust_list or base / "trust-list.jws"
        try:
            verifier = OfflineVerifier.from_files(
                trust_file,
                status_dir or trust_file.parent / "status",
                root_key or trust_file.parent / "root-key.jwk",
            )
        except ValueError as error:
            fail(str(error))
        result = verifier.verify(text, now=platform().ctx.now()).to_json()
    else:
        result = _online(text)
    _print(result, as_json)
    if result.get("verdict") != "VALID":
        raise typer.Exit(1)


def _credential_text(source: str) -> str:
    """The SC1 text given, or read from the file named: one clear line for anything else."""
    text = source.strip()
    if not text:
        fail("输入为空，请给出 SC1 字符串或文件 / the input is empty: give an SC1 string or a file")
    if text.upper().startswith("SC1:"):
        return text
    path = Path(source)
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError):  # a name too long for a path, a NUL byte
        exists = is_file = False
    shown = text if len(text) <= 60 else text[:60] + "…"
    if not exists:
        fail(f"输入既不是 SC1 字符串也不是文件 / not an SC1 string nor a file: {shown}")
    if not is_file:
        fail(f"输入是目录或特殊文件，不是证照文件 / not a regular file: {shown}")
    try:
        return read_credential_from_file(path)
    except ValueError as error:
        fail(str(error))
    except OSError as error:
        fail(f"无法读取文件 / cannot read {shown}: {error.strerror or error}")
    raise AssertionError("unreachable")


def _online(text: str) -> dict[str, Any]:
    base = platform().settings.base_url.rstrip("/")
    try:
        response = httpx.post(f"{base}/api/v1/verify", json={"payload": text}, timeout=10)
    except httpx.HTTPError as error:
        fail(
            f"无法连接平台 {base}（可改用 --offline）/ cannot reach {base}, try --offline: {error}"
        )
    if response.status_code != 200:
        fail(f"平台返回 {response.status_code}: {response.text[:200]}")
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        fail(f"平台的回答不是 JSON / {base} did not answer JSON")
    return body


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"结论 / verdict: {result.get('verdict')}")
    for check in result.get("checks", []):
        typer.echo(
            f"  [{check['outcome']}] {check['name']}: {check['message_zh']} / {check['message_en']}"
        )
    certificate = result.get("certificate")
    if certificate:
        typer.echo(
            f"  证号 {certificate.get('no')}  姓名 {certificate.get('nam')}  项目 {certificate.get('itn')}"
            f"  有效期 {certificate.get('vfr')} 至 {certificate.get('vto')}  签发机关 {certificate.get('aut')}"
        )
