"""Data sharing at the console (issue 17): opcert subscribers add|list|disable|enable|
rotate-secret|roster|status|redeliver, opcert events due, opcert dispatch [--once].

What is shown once (an API key, a webhook secret) is printed on its own line, last."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from opcert.domain.errors import ValidationFailed
from opcert.domain.input_formats import parse_date
from opcert.interfaces.cli.context import domain_errors, fail, ready_platform
from opcert.services.sharing import dispatch as dispatcher
from opcert.services.sharing import due, rosters, subscribers, webhooks
from opcert.services.sharing.sharing_list import EVENT_TYPES, FIELDS
from opcert.services.uploads.limits import SHEET_LIMITS, too_large

app = typer.Typer(help="数据共享订阅方 / data-sharing subscribers", no_args_is_help=True)
events_app = typer.Typer(help="数据共享事件 / data-sharing events", no_args_is_help=True)

CONSOLE = "cli:operator"
SHOWN_ERRORS = 10  # roster errors printed on the one line; the rest are counted
CODE = typer.Argument(..., metavar="CODE", help="订阅方代码 / subscriber code")
REASON = typer.Option(..., "--reason", help="理由（记入台账）/ reason, kept in the ledger")


def _listed(text: str) -> list[str]:
    return text.split(",")


@app.command("add")
def add(
    code: str = typer.Option(..., help="订阅方代码 / subscriber code"),
    name: str = typer.Option(..., help="订阅方名称 / name"),
    url: str = typer.Option(..., help="Webhook 接收地址 / webhook URL (http/https)"),
    events: str = typer.Option(
        ..., help=f"事件类型，逗号分隔 / event types, comma-separated: {', '.join(EVENT_TYPES)}"
    ),
    fields: str = typer.Option(
        ..., help=f"授权字段，逗号分隔 / granted fields, comma-separated: {', '.join(FIELDS)}"
    ),
    regions: str = typer.Option(
        ..., help="行政区划代码，逗号分隔（全国 000000）/ division codes (000000: the country)"
    ),
    signing: str = typer.Option("hmac", help="hmac | ed25519"),
    uscc: str = typer.Option(
        None, help="用人单位的统一社会信用代码 / an employer's unified social credit code"
    ),
) -> None:
    """登记数据共享订阅方；API 密钥和（hmac）签名密钥只显示这一次，签名密钥在最后一行 / register a
    subscriber; its API key and (hmac) whsec_ secret are shown once, the secret on the last line."""
    ctx = ready_platform().ctx
    config = ctx.sharing_config()
    new = subscribers.NewSubscriber(
        code, name, url, _listed(events), _listed(fields), _listed(regions), signing, uscc
    )
    with domain_errors():
        done = subscribers.add_subscriber(ctx, config, new, actor=CONSOLE)
    kind = "用人单位 / employer" if uscc else "订阅方 / subscriber"
    typer.echo(f"已登记{kind}: {done.code}")
    if signing == "ed25519":
        typer.echo(
            "平台 Webhook 公钥（验 v1a 签名；亦见 /.well-known/opcert/webhook-key）/ the platform's "
            f"webhook public key (verifies v1a): {webhooks.webhook_public_key(config)}"
        )
    typer.echo(
        "API 密钥仅显示这一次，用于拉取事件和反馈处理结果 / the API key, shown only once, for the "
        "pull feed (GET /api/v1/events) and feedback (POST /api/v1/feedback):"
    )
    typer.echo(done.api_key)
    if done.secret:
        typer.echo("Webhook 签名密钥仅显示这一次 / the webhook signing secret, shown only once:")
        typer.echo(done.secret)


@app.command("list")
def list_all(
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print a JSON array"),
) -> None:
    """列出订阅方及其共享清单 / list the subscribers and their sharing list."""
    ctx = ready_platform().ctx
    found = subscribers.list_subscribers(ctx)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    if not found:
        typer.echo("尚无订阅方 / no subscribers")
    for one in found:
        state = "启用 / active" if one["active"] else f"停用 / disabled ({one['disabled_reason']})"
        employer = f" uscc={one['uscc']}" if one["uscc"] else ""
        typer.echo(
            f"{one['code']}\t{one['name']}\t{state}\t{one['signing']}{employer}\t{one['url']}\n"
            f"  events: {','.join(one['events'])}\n  fields: {','.join(one['fields'])}\n"
            f"  regions: {','.join(one['regions'])}"
        )


@app.command("disable")
def disable(code: str = CODE, reason: str = REASON) -> None:
    """停用订阅方：不再投递，待投递的保留 / disable: deliveries stop, pending ones wait."""
    ctx = ready_platform().ctx
    with domain_errors():
        subscribers.set_active(ctx, code, False, reason, actor=CONSOLE)
    typer.echo(f"已停用 / disabled: {code}")


@app.command("enable")
def enable(code: str = CODE, reason: str = REASON) -> None:
    """重新启用订阅方 / enable a subscriber again."""
    ctx = ready_platform().ctx
    with domain_errors():
        subscribers.set_active(ctx, code, True, reason, actor=CONSOLE)
    typer.echo(f"已启用 / enabled: {code}")


@app.command("rotate-secret")
def rotate_secret(
    code: str = CODE,
    api_key: bool = typer.Option(
        False, "--api-key", help="更换 API 密钥（旧密钥立即失效）/ a new API key; the old one stops"
    ),
) -> None:
    """更换 Webhook 签名密钥（旧密钥继续签名 24 小时）或 API 密钥；新密钥只显示这一次（最后一行）/ a new
    webhook secret (the old one signs too for 24 h) or API key, shown once on the last line."""
    ctx = ready_platform().ctx
    with domain_errors():
        shown = subscribers.rotate_secret(
            ctx, ctx.sharing_config(), code, api_key=api_key, actor=CONSOLE
        )
    what = "API 密钥 / API key" if api_key else "Webhook 签名密钥 / webhook signing secret"
    typer.echo(f"新的{what}仅显示这一次 / shown only once:")
    typer.echo(shown)


@app.command("roster")
def roster(
    code: str = CODE,
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="花名册 .csv / .xlsx: id_number,name[,item]"
    ),
) -> None:
    """上传用人单位的花名册（整体替换；有一行错误则不作任何更改）/ replace an employer's roster:
    columns id_number,name and optional item (empty: every item); one bad row changes nothing."""
    ctx = ready_platform().ctx
    with domain_errors(), _roster_errors():
        rows = rosters.read_roster(file.name, _read_limited(file))
        done = rosters.replace_roster(ctx, code, rows, CONSOLE)
    typer.echo(
        f"已替换花名册 / roster replaced: {done.code}, {done.workers} 条 / lines "
        f"(原 / before: {done.previous}); sha256 {done.fingerprint}"
    )


def _read_limited(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(SHEET_LIMITS.max_bytes + 1)
    if len(data) > SHEET_LIMITS.max_bytes:
        raise too_large("file", SHEET_LIMITS.max_bytes)
    return data


@contextmanager
def _roster_errors() -> Iterator[None]:
    """A roster's row errors on one line: the first ``SHOWN_ERRORS``, then how many more."""
    try:
        yield
    except ValidationFailed as error:
        count = len(error.errors)
        shown = error.errors[:SHOWN_ERRORS]
        zh = "；".join(e.message_zh for e in shown)
        en = "; ".join(f"{e.field} ({e.code})" for e in shown)
        more = count - len(shown)
        fail(
            f"花名册有 {count} 处错误，未作任何更改：{zh}{f'；另有 {more} 处' if more else ''} / "
            f"the roster has {count} error(s), nothing was changed: {en}"
            f"{f'; {more} more' if more else ''}"
        )


@app.command("status")
def delivery_status(
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print a JSON array"),
) -> None:
    """各订阅方的投递情况：待投递、最早待投递的等待秒数、重试中、失败 / per subscriber: pending, the
    oldest pending one's age in seconds, retrying, dead."""
    ctx = ready_platform().ctx
    found = dispatcher.status(ctx)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    for one in found:
        typer.echo(
            f"{one['code']}\t{'active' if one['active'] else 'disabled'}\tpending {one['pending']}"
            f"\tlag {one['oldest_pending_age_seconds']}s\tretrying {one['retrying']}"
            f"\tdead {one['dead']}"
        )


@app.command("redeliver")
def redeliver(
    delivery: int = typer.Option(None, help="投递编号 / delivery id"),
    event: str = typer.Option(None, help="事件编号 / event id (with --code)"),
    code: str = typer.Option(None, "--code", help="订阅方代码 / subscriber code (with --event)"),
) -> None:
    """重新投递一条已失败（或已送达）的投递 / send a dead (or delivered) delivery again."""
    ctx = ready_platform().ctx
    with domain_errors():
        done = dispatcher.redeliver(
            ctx, delivery_id=delivery, event_id=event, subscriber=code, actor=CONSOLE
        )
    typer.echo(f"已重新排队 / queued again: delivery {done}")


@events_app.command("due")
def events_due(
    on: str = typer.Option(None, "--date", help="日期 / the day (default: today), YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON object"),
) -> None:
    """写入到期事件：有效期届满前 90 天、30 天（expiring）和届满后（expired）；重复运行不会重复写入 /
    write the expiry events owed on the day; running it again writes nothing twice."""
    ctx = ready_platform().ctx
    with domain_errors():
        day = parse_date(on, "date") if on is not None else ctx.today()
        counts = due.run_due(ctx, day)
    result: dict[str, Any] = {
        "date": day.isoformat(),
        "expiring_90": counts.expiring_90,
        "expiring_30": counts.expiring_30,
        "expired": counts.expired,
        "certificates_seen": counts.seen,
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(
        f"{result['date']}: 90 天内到期 / expiring in 90 days {counts.expiring_90}, 30 天内到期 / "
        f"in 30 days {counts.expiring_30}, 已届满 / expired {counts.expired}"
    )


def dispatch(
    once: bool = typer.Option(
        False, "--once", help="投递当前到期的事件后退出 / deliver what is due, then exit"
    ),
) -> None:
    """以 Standard Webhooks 投递事件（CloudEvents JSON）；Ctrl-C 或 SIGTERM 结束前记录已完成的投递 /
    deliver pending events to subscribers; on Ctrl-C or SIGTERM, what was sent is recorded first."""
    ctx = ready_platform().ctx
    stop = threading.Event()
    restore = _stop_on_signals(stop)
    try:
        counts = dispatcher.run(ctx, ctx.sharing_config(), once=once, stop=stop)
    finally:
        restore()
    shown = ", ".join(f"{name} {value}" for name, value in counts.items())
    typer.echo(f"投递结束 / dispatch ended: {shown}")


def _stop_on_signals(stop: threading.Event) -> Any:
    """SIGINT and SIGTERM set ``stop`` (the loop finishes its batch and records it); returns
    what puts the previous handlers back. In a thread other than the main one, nothing."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    for sig in previous:
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="subscribers")
    root.add_typer(events_app, name="events")
    root.command("dispatch")(dispatch)
