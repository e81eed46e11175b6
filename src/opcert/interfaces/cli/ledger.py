"""ledger verify, head, checkpoint."""

from __future__ import annotations

from pathlib import Path

import typer

from opcert.interfaces.cli.context import fail, ready_platform
from opcert.services.kernel import ledger_anchor

app = typer.Typer(help="审计账本 / the audit ledger", no_args_is_help=True)

MAX_CHECKPOINT_FILE = 16 * 1024 * 1024


@app.command("verify")
def verify(
    checkpoints: list[Path] = typer.Option(
        [],
        "--checkpoint",
        help="此前签名的检查点文件（每行一个，可重复）/ earlier signed checkpoints, one a line",
    ),
    root_fingerprint: str = typer.Option(
        None, "--root-fingerprint", help="固定的根公钥指纹 / pinned root key fingerprint"
    ),
) -> None:
    """校验哈希链，发现被修改、重排、删除或截断的条目 / detect edited, reordered, deleted or
    truncated entries, also against signed checkpoints."""
    given = [item for path in checkpoints for item in _read_checkpoints(path)]
    audit = ledger_anchor.audit(ready_platform().ctx, given, root_fingerprint=root_fingerprint)
    report, checked = audit.chain, audit.checkpoints_checked
    for problem in [*report.problems, *audit.checkpoint_problems]:
        typer.echo(problem, err=True)
    if not audit.ok:
        fail(f"账本校验失败，共 {report.entries} 条 / ledger broken ({report.entries} entries)")
    anchored = (
        f"{checked} checkpoints hold"
        if checked
        else "no checkpoint to check against: a cut tail would go unseen (opcert ledger checkpoint)"
    )
    typer.echo(
        f"账本完整 / ledger intact: {report.entries} entries, head {report.head_hash}, {anchored}"
    )


@app.command("head")
def head() -> None:
    """打印链头哈希，供异地留存 / print the head hash for out-of-band anchoring."""
    seq, digest = ledger_anchor.head(ready_platform().ctx)
    typer.echo(f"{seq}\t{digest}")


@app.command("checkpoint")
def checkpoint() -> None:
    """用国家根密钥签署链头并打印（一行 JWS），请异地留存 / sign the head with the root key and
    print it (one line, a compact JWS); keep it off this machine."""
    signed = ledger_anchor.checkpoint(ready_platform().ctx)
    typer.echo(signed.jws)
    typer.echo(f"已签署链头 / head signed: #{signed.seq} {signed.hash}", err=True)


def _read_checkpoints(path: Path) -> list[tuple[str, str]]:
    """(where, JWS) for every non-empty line of a checkpoint file; one clear line otherwise."""
    try:
        if path.stat().st_size > MAX_CHECKPOINT_FILE:
            fail(f"检查点文件过大 / checkpoint file too large: {path}")
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not ASCII text"
        fail(f"无法读取检查点文件 / cannot read the checkpoint file {path}: {reason}")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        fail(f"检查点文件为空 / no checkpoint in {path}")
    return [(f"{path}:{n}", line) for n, line in lines]
