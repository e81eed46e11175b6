"""Recording the outcomes of sent deliveries, one transaction per batch (the database half of
``dispatch``, with the claim).

- 2xx: delivered.
- 410 Gone: the subscriber said it wants no more; it is disabled, its pending deliveries are
  dead, and the ledger says so.
- anything else (another status, a timeout, a refused connection): one more attempt counted and
  the next one after an exponential backoff with full jitter (``backoff_base`` doubling, at most
  ``backoff_cap`` a step), until ``give_up_after`` (24 h) from the delivery's creation: then dead.

Only the dispatcher that still holds a delivery records it (``claimed_by``), and only if no
attempt was recorded since its claim (``attempts``): a dispatcher whose lease was taken over
cannot overwrite the other's outcome, and recording the same batch twice (a commit whose answer
was lost with the connection) counts nothing twice.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing.sending import DELIVERED, FAILED, GONE, RELEASED, Outcome

GONE_REASON = "接收方返回 410 Gone，订阅已自动停用 / the receiver answered 410 Gone"


@dataclass(frozen=True)
class Backoff:
    base_seconds: float = 1.0
    cap_seconds: float = 3600.0
    give_up_after: timedelta = timedelta(hours=24)

    def next_attempt(
        self, attempts: int, now: datetime, created_at: datetime, rng: random.Random
    ) -> datetime | None:
        """When to try again after ``attempts`` failed attempts; ``None``: give up (dead)."""
        end = created_at + self.give_up_after
        if now >= end:
            return None
        step = min(self.cap_seconds, self.base_seconds * 2.0 ** min(attempts - 1, 62))
        return min(now + timedelta(seconds=rng.uniform(0, step)), end)


@dataclass
class Counts:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0
    disabled: int = 0
    superseded: int = 0  # outcomes not recorded: another dispatcher had taken the delivery over

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class _Batch:
    delivered: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    failed: list[dict[str, Any]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    gone: dict[int, Outcome] = field(default_factory=dict)


def record(
    ctx: ServiceContext,
    worker: str,
    outcomes: Sequence[Outcome],
    backoff: Backoff,
    rng: random.Random,
) -> Counts:
    """Record ``outcomes`` in one transaction; what was recorded, counted."""
    counts = Counts()
    if not outcomes:
        return counts
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        held = uow.deliveries.held([o.job.delivery_id for o in outcomes], worker)
        mine = [o for o in outcomes if held.get(o.job.delivery_id) == o.job.attempts]
        counts.superseded = len(outcomes) - len(mine)
        batch = _sorted(mine, now, backoff, rng, counts)
        for status, ids in batch.delivered.items():
            uow.deliveries.mark_delivered(ids, status, now)
        uow.deliveries.mark_failed(batch.failed)
        uow.deliveries.release(batch.released)
        for subscriber_id, outcome in batch.gone.items():
            row = uow.deliveries.disable(subscriber_id, GONE_REASON, now)
            if row is None:
                continue
            counts.disabled += 1
            data = {"reason": GONE_REASON, "status": 410, "event": outcome.job.event_id}
            event = ledger.LedgerEvent(
                now,
                f"dispatcher:{worker}"[:64],
                "subscriber.disabled",
                f"subscriber:{row.code}",
                data,
            )
            ledger.append(uow, [event])
        uow.commit()
    return counts


def _sorted(
    outcomes: Sequence[Outcome],
    now: datetime,
    backoff: Backoff,
    rng: random.Random,
    counts: Counts,
) -> _Batch:
    batch = _Batch()
    for outcome in outcomes:
        job = outcome.job
        if outcome.kind == DELIVERED:
            batch.delivered[outcome.status or 200].append(job.delivery_id)
            counts.delivered += 1
        elif outcome.kind == RELEASED:
            batch.released.append(job.delivery_id)
            counts.released += 1
        elif outcome.kind in (FAILED, GONE):
            attempts = job.attempts + 1
            later = (
                None
                if outcome.kind == GONE
                else backoff.next_attempt(attempts, now, job.created_at, rng)
            )
            batch.failed.append(
                {
                    "id": job.delivery_id,
                    "state": "pending" if later is not None else "dead",
                    "attempts": attempts,
                    "next_attempt_at": later or now,
                    "last_status": outcome.status,
                    "last_error": (outcome.error or "")[:300] or None,
                }
            )
            if outcome.kind == GONE:
                batch.gone.setdefault(job.subscriber_id, outcome)
            elif later is None:
                counts.dead += 1
            else:
                counts.failed += 1
    return batch
