"""Is this process fit to serve: the database answers, and how warm its status lists are."""

from __future__ import annotations

from dataclasses import dataclass

from opcert.services.kernel.context import ServiceContext


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
    return Health(ok, body)
