"""The pull feed (``GET /api/v1/events?after=CURSOR&limit=N``): the events a subscriber's grant
covers, in order, each as the webhook would carry it, with a stable cursor.

The cursor is opaque to subscribers: ``e`` + the last event id looked at (seen or skipped), so a
page that filtered everything out still moves on. Ids commit in order (``events`` module), so a
cursor never passes an event that is committed later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from opcert.domain.errors import FieldError
from opcert.persistence.models import SharingEvent, Subscriber
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing.events import receives
from opcert.services.sharing.webhooks import body

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_SCAN = 5000  # events read per step while filtering; a page reads at most a few steps


@dataclass(frozen=True)
class Page:
    events: list[dict[str, Any]]
    cursor: str  # pass as ``after`` for the next page
    more: bool  # whether more events may follow right away


def parse_cursor(text: str | None) -> int:
    """``None`` or empty: from the start. ``FieldError`` on ``after`` for anything not given out
    by the feed."""
    if text is None or not text.strip():
        return 0
    value = text.strip()
    digits = value[1:]
    if value[:1] != "e" or not (digits.isascii() and digits.isdigit()) or len(value) > 20:
        raise FieldError(
            "after",
            "CURSOR_INVALID",
            "游标无效：请使用上一页返回的 cursor 原样传入，首次拉取不传",
            "invalid cursor: pass the cursor of the previous page as it is, or none at first",
        )
    return int(digits)


def parse_limit(text: str | int | None) -> int:
    if text is None or text == "":
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise FieldError(
            "limit",
            "LIMIT_OUT_OF_RANGE",
            f"limit 须为 1 到 {MAX_LIMIT} 的整数",
            f"limit must be a whole number from 1 to {MAX_LIMIT}",
        )
    return limit


def cloud_event(event: SharingEvent, subscriber: Subscriber, source: str) -> dict[str, Any]:
    """The CloudEvents 1.0 JSON object of ``event`` as ``subscriber`` may see it: the very body
    its webhook carries (``webhooks.body``: same attributes, same minimised ``data``)."""
    parsed: dict[str, Any] = json.loads(body(event, subscriber, source))
    return parsed


def page(ctx: ServiceContext, subscriber: Subscriber, after: int, limit: int) -> Page:
    """Up to ``limit`` events after ``after`` that ``subscriber`` receives, oldest first."""
    out: list[dict[str, Any]] = []
    last = after
    with ctx.reader() as uow:
        head = uow.sharing.last_event_id()
        while len(out) < limit and last < head:
            rows = uow.sharing.events_after(last, _SCAN, subscriber.event_types)
            if not rows:
                last = head
                break
            numbers = {r.id_number for r in rows if r.id_number}
            rosters = (
                uow.sharing.roster_members([subscriber.id], numbers) if subscriber.uscc else set()
            )
            for row in rows:
                last = row.id
                if receives(subscriber, row, rosters):
                    out.append(cloud_event(row, subscriber, ctx.base_url))
                    if len(out) == limit:
                        break
    return Page(out, f"e{last}", last < head)
