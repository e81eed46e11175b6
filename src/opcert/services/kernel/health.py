"""Is this process fit to serve: the database answers, and how warm its status lists are; and,
for operators, how data sharing's deliveries stand (they never decide the answer's status)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing import dispatch

log = logging.getLogger(__name__)
SHARING_LISTED = 100  # subscribers listed at most, the furthest behind first


@dataclass(frozen=True)
class Health:
    ok: bool
    body: dict[str, object]


def database_answers(ctx: ServiceContext) -> bool:
    """True when a trivial query succeeds; never raises."""
    try:
        with ctx.reader() as uow:
            return uow.ping()
    except Exception:  # an unreachable database fails in many driver-specific ways
        return False


def report(ctx: ServiceContext) -> Health:
    """``ok`` when the database answers; where this process warms its status lists, also how
    far its last round got."""
    ok = database_answers(ctx)
    body: dict[str, object] = {"status": "ok" if ok else "database unavailable"}
    warm = ctx.status_lists.warm_report()
    if warm is not None:
        body["status_lists"] = warm
    sharing = sharing_figures(ctx) if ok else None
    if sharing is not None:
        body["sharing"] = sharing
    return Health(ok, body)


def sharing_figures(ctx: ServiceContext) -> dict[str, object] | None:
    """Data sharing's deliveries: totals, and per subscriber with anything pending, retrying or
    dead, its lag (the age in seconds of its oldest pending delivery), failures (pending after
    a failed attempt) and dead letters. Subscribers by code only: no name, URL, secret or
    personal data. ``None`` when there is no subscriber, or the figures cannot be read (a
    health check never fails on them)."""
    try:
        rows = dispatch.status(ctx)
    except Exception:  # figures for operators: their failure must not fail the health check
        log.warning("数据共享投递统计读取失败 / reading the delivery figures failed", exc_info=True)
        return None
    if not rows:
        return None
    behind = [
        {
            "code": row["code"],
            "active": row["active"],
            "pending": row["pending"],
            "lag_seconds": row["oldest_pending_age_seconds"],
            "failures": row["retrying"],
            "dead": row["dead"],
        }
        for row in rows
        if row["pending"] or row["retrying"] or row["dead"]
    ]
    behind.sort(key=lambda one: (-_number(one["lag_seconds"]), -_number(one["dead"])))
    return {
        "subscribers": len(rows),
        "active": sum(1 for row in rows if row["active"]),
        "pending": sum(int(_number(row["pending"])) for row in rows),
        "dead": sum(int(_number(row["dead"])) for row in rows),
        "max_lag_seconds": max((_number(one["lag_seconds"]) for one in behind), default=0.0),
        "by_subscriber": behind[:SHARING_LISTED],
    }


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
