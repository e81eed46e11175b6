"""verify INPUT [--offline]: an SC1 string, a QR image or a PDF certificate.

This module is imported by the fast entry point (``entry.py``) without the rest of the CLI:
at module level it imports Typer, the credential package and the offline reader only. The
platform (settings, database) is imported inside the functions that need it: the online
check, a trust directory defaulted from the data directory, and a development clock.

Every input gets a verdict (spec section 6): anything that is not an SC1 string or a file
holding one is MALFORMED, with the reason. A trust list that cannot be read is a one-line
error; with ``--json`` the error is also printed as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer

from opcert.credential.freshness import RevisionFile
from opcert.credential.pinning import grouped, parse_fingerprint
from opcert.credential.verifier import ASCII_WHITESPACE, malformed
from opcert.services.offline import OfflineVerifier, read_credential_from_file

STATE_FILE_ENV = "OPCERT_VERIFIER_STATE"
FINGERPRINT_ENV = "OPCERT_ROOT_FINGERPRINT"


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
    root_key: Path = typer.Option(
        None, "--root-key", help="由您提供的根公钥 JWK（信任它）/ a root key JWK you trust"
    ),
    root_fingerprints: list[str] = typer.Option(
        None,
        "--root-fingerprint",
        help="固定的根公钥指纹（SHA-256 十六进制，可重复；或 OPCERT_ROOT_FINGERPRINT，逗号分隔）"
        " / pinned root fingerprint (repeatable)",
    ),
    state: Path = typer.Option(
        None,
        "--state",
        help="已接受的状态列表版本（默认 ~/.cache/opcert/verifier-state.json）"
        " / remembered status list revisions",
    ),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
) -> None:
    """核验电子证照，仅在 VALID 时返回 0 / verify a credential; exit 0 only for VALID."""
    text, problem = _credential_text(source)
    if offline:
        result = _offline(
            text, problem, trust_list, status_dir, root_key, root_fingerprints, state, as_json
        )
    elif problem is not None:
        result = malformed(*problem, _now()).to_json()
    else:
        result = _online(text, as_json)
    _print(result, as_json)
    if result.get("verdict") != "VALID":
        raise typer.Exit(1)


def _offline(
    text: str,
    problem: tuple[str, str] | None,
    trust_list: Path | None,
    status_dir: Path | None,
    root_key: Path | None,
    fingerprints: list[str] | None,
    state: Path | None,
    as_json: bool,
) -> dict[str, Any]:
    trust_file = trust_list or _data_dir() / "trust" / "trust-list.jws"
    try:
        pins = _pins(fingerprints)
        revisions = RevisionFile.load(state or _default_state())
        verifier = OfflineVerifier.from_files(
            trust_file,
            status_dir or trust_file.parent / "status",
            pins=pins,
            root_key_file=root_key,
            revisions=revisions,
        )
    except (ValueError, OSError) as error:
        _fail(str(error), as_json)
    now = _now()
    if verifier.problem is None and problem is not None:
        answer = malformed(*problem, now)
    else:
        answer = verifier.verify(text, now=now)
    try:
        revisions.save()
    except OSError as error:
        _fail(
            f"无法写入核验状态 / cannot write the verifier state {revisions.path}: {error}", as_json
        )
    result = answer.to_json()
    result["root_fingerprint"] = verifier.fingerprint
    result["root_trusted"] = verifier.problem is None
    return result


def _pins(given: list[str] | None) -> set[str]:
    """The fingerprints given on the command line and in OPCERT_ROOT_FINGERPRINT."""
    texts = list(given or [])
    texts += [part for part in os.environ.get(FINGERPRINT_ENV, "").split(",") if part.strip()]
    try:
        return {parse_fingerprint(text) for text in texts}
    except ValueError as error:
        raise ValueError(f"根公钥指纹无效 / --root-fingerprint: {error}") from None


def _default_state() -> Path:
    if os.environ.get(STATE_FILE_ENV):
        return Path(os.environ[STATE_FILE_ENV])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "opcert" / "verifier-state.json"


def _data_dir() -> Path:
    from opcert.settings import Settings

    return Settings().data_dir


def _now() -> datetime:
    """The clock: the development fake (OPCERT_FAKE_NOW, through the settings) or the system's."""
    if os.environ.get("OPCERT_FAKE_NOW"):
        from opcert.settings import Settings

        fake = Settings().fake_now
        if fake is not None:
            return fake
    return datetime.now(UTC)


def _credential_text(source: str) -> tuple[str, tuple[str, str] | None]:
    """(the SC1 text given or read from the file named, None) or ("", why it is MALFORMED)."""
    text = source.strip(ASCII_WHITESPACE)
    if not text:
        return "", ("输入为空", "the input is empty")
    if text.startswith("SC1:"):
        return source, None
    path = Path(source)
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError):  # a name too long for a path, a NUL byte
        exists = is_file = False
    shown = text if len(text) <= 60 else text[:60] + "…"
    if not exists:
        return "", (f"不以 SC1: 开头，也不是文件：{shown}", f"not SC1: nor a file: {shown}")
    if not is_file:
        return "", (f"是目录或特殊文件：{shown}", f"a directory or special file: {shown}")
    try:
        return read_credential_from_file(path), None
    except ValueError as error:
        return "", (str(error), str(error))
    except OSError as error:
        reason = error.strerror or str(error)
        return "", (f"无法读取文件 {shown}：{reason}", f"cannot read {shown}: {reason}")


def _online(text: str, as_json: bool) -> dict[str, Any]:
    import httpx

    from opcert.interfaces.cli.context import platform

    base = platform().settings.base_url.rstrip("/")
    try:
        response = httpx.post(f"{base}/api/v1/verify", json={"payload": text}, timeout=10)
    except httpx.HTTPError as error:
        _fail(
            f"无法连接平台 {base}（可改用 --offline）/ cannot reach {base}, try --offline: {error}",
            as_json,
        )
    if response.status_code != 200:
        _fail(f"平台返回 {response.status_code}: {response.text[:200]}", as_json)
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        _fail(f"平台的回答不是 JSON / {base} did not answer JSON", as_json)
    body.setdefault("root_fingerprint", None)
    body["verified_by"] = base
    return body


def _fail(message: str, as_json: bool) -> NoReturn:
    """One line on stderr, exit 1; with --json the same error as JSON on stdout."""
    line = " ".join(message.split())
    if as_json:
        typer.echo(json.dumps({"verdict": None, "error": line}, ensure_ascii=False))
    print(f"错误 / error: {line}", file=sys.stderr)
    raise typer.Exit(1)


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"结论 / verdict: {result.get('verdict')}")
    fingerprint = result.get("root_fingerprint")
    if fingerprint:
        trusted = "已固定 / pinned" if result.get("root_trusted") else "未固定，不可信 / NOT pinned"
        typer.echo(f"  根公钥指纹 / root fingerprint: {fingerprint} ({trusted})")
        typer.echo(f"    {grouped(fingerprint)}")
    elif result.get("verified_by"):
        typer.echo(f"  在线核验 / verified online by {result['verified_by']}")
    for check in result.get("checks", []):
        typer.echo(
            f"  [{check['outcome']}] {check['name']}: {check['message_zh']} / {check['message_en']}"
        )
    certificate = result.get("certificate")
    if certificate:
        unverified = "" if result.get("certificate_verified") else "（未经验证 / UNVERIFIED）"
        typer.echo(
            f"  {unverified}证号 {certificate.get('no')}  姓名 {certificate.get('nam')}"
            f"  项目 {certificate.get('itn')}  有效期 {certificate.get('vfr')} 至 {certificate.get('vto')}"
            f"  签发机关 {certificate.get('aut')}"
        )
