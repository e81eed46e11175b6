"""verify INPUT [--offline]: an SC1 string, a QR image or a PDF certificate.

The options and their help; what the command does is ``verify_run.run``, which the fast entry
point (``entry.py``) also calls for a well-formed ``opcert verify`` without loading Typer.
"""

from __future__ import annotations

from pathlib import Path

import typer

from opcert.interfaces.cli.verify_run import VerifyOptions, run


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
    log_proof: Path = typer.Option(
        None,
        "--log-proof",
        help="透明日志包含证明（GET /api/v1/log/proof?cti=…）；与 --offline 同用"
        " / transparency-log inclusion proof, with --offline",
    ),
    require_log: bool = typer.Option(
        False,
        "--require-log",
        help="无日志证明即判 NOT_LOGGED / NOT_LOGGED without a log proof (with --offline)",
    ),
) -> None:
    """核验电子证照，仅在 VALID 时返回 0 / verify a credential; exit 0 only for VALID."""
    options = VerifyOptions(
        source,
        offline,
        trust_list,
        status_dir,
        root_key,
        tuple(root_fingerprints or ()),
        state,
        as_json,
        log_proof,
        require_log,
    )
    code = run(options)
    if code:
        raise typer.Exit(code)
