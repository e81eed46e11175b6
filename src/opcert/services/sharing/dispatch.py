"""The webhook dispatcher: claim due deliveries under a lease, send them, record the outcomes
(issue 17, decision 0029). At least once, each subject's events in order for each subscriber.

One loop, three steps that overlap:

1. **claim**, in a short transaction: up to ``batch`` due deliveries (``repositories.deliveries``:
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so dispatchers on several machines share the work;
   the write lock on SQLite), leased to this dispatcher for ``lease_seconds``;
2. **send**, outside any transaction, concurrently (``sending``), while the loop claims more;
3. **record** what came back, a batch per transaction (``recording``).

A dispatcher that dies leaves its leases to run out; then another takes the deliveries again (an
event may reach a receiver twice: receivers deduplicate on ``webhook-id``). No attempt starts
when the lease would end before its timeout. A dropped database connection is logged and
outlasted: the loop waits a second and carries on, keeping the outcomes it has not recorded yet.

Database times (leases, next attempts, delivery times) come from ``ctx.now()``; the signature's
``webhook-timestamp`` is the real time of the attempt, which receivers check against their clocks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from opcert.domain.errors import Conflict, FieldError, NotFound
from opcert.persistence.models import Subscriber
from opcert.persistence.repositories.deliveries import PENDING, connection_trouble
from opcert.persistence.unit_of_work import ConcurrentWriteConflict
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing.addresses import check_url
from opcert.services.sharing.config import SharingConfig
from opcert.services.sharing.recording import Backoff, Counts, record
from opcert.services.sharing.sending import Job, Outcome, Sender, runs
from opcert.services.sharing.subscribers import webhook_secrets
from opcert.services.sharing.webhooks import Signer, body, signer_for

__all__ = ["DispatchOptions", "redeliver", "run", "status"]

log = logging.getLogger(__name__)
LEASE_MARGIN_SECONDS = 5.0  # clocks of dispatchers on different machines may differ this much


def dispatcher_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class DispatchOptions:
    batch: int = 500  # deliveries claimed or in flight at most
    concurrency: int = 64  # requests at once
    per_subscriber: int = 32  # requests at once to one subscriber
    lease_seconds: float = 120.0
    idle_seconds: float = 0.3  # sleep when nothing is due
    record_every: float = 0.1  # seconds an outcome waits at most to be recorded
    backoff: Backoff = field(default_factory=Backoff)
    worker: str = field(default_factory=dispatcher_id)
    seed: int | None = None  # the jitter's random numbers, for tests


def run(
    ctx: ServiceContext,
    config: SharingConfig,
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    options: DispatchOptions | None = None,
) -> dict[str, int]:
    """Deliver until ``stop`` is set (or, with ``once``, until nothing is due); the counts of
    what was recorded: delivered, failed (to be retried), dead, released, disabled, superseded."""
    chosen = options or DispatchOptions()
    if chosen.lease_seconds <= config.timeout_seconds + LEASE_MARGIN_SECONDS:
        raise ValueError(
            "租约须长于请求超时加上余量 / the lease must be longer than the request timeout "
            f"plus {LEASE_MARGIN_SECONDS:g} s"
        )
    loop = _Loop(ctx, config, chosen, stop or threading.Event(), once)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(loop.serve()).as_dict()


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (``uvicorn[standard]`` brings it on Linux and
    macOS): the dispatcher spends most of its CPU in the loop and the HTTP client, and uvloop's
    loop costs less a request than asyncio's own. Otherwise asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return None
    return uvloop.new_event_loop


class _Loop:
    def __init__(
        self,
        ctx: ServiceContext,
        config: SharingConfig,
        options: DispatchOptions,
        stop: threading.Event,
        once: bool,
    ) -> None:
        self.ctx, self.config, self.options = ctx, config, options
        self.stop, self.once = stop, once
        self.rng = random.Random(options.seed)
        self.counts = Counts()
        self.tasks: set[asyncio.Task[list[Outcome]]] = set()
        self.in_flight = 0
        self.unrecorded: list[Outcome] = []
        self.oldest = 0.0  # monotonic time the oldest unrecorded outcome came back
        self.next_claim = 0.0
        self.nothing_due = False  # the last claim found nothing, and nothing was recorded since

    async def serve(self) -> Counts:
        options = self.options
        sender = Sender(
            concurrency=options.concurrency,
            per_subscriber=options.per_subscriber,
            timeout=self.config.timeout_seconds,
        )
        try:
            while not self.stop.is_set():
                claimed = await self._claim_more(sender)
                await self._collect(wait=not claimed)
                if not self.tasks and not self.unrecorded and not claimed:
                    if self.once and self.nothing_due:
                        break
                    await asyncio.sleep(options.idle_seconds)
            await self._drain()
        finally:
            await sender.aclose()
        return self.counts

    async def _claim_more(self, sender: Sender) -> bool:
        room = self.options.batch - self.in_flight
        if time.monotonic() < self.next_claim or room < max(1, self.options.batch // 4):
            return False
        try:
            jobs = await asyncio.to_thread(claim, self.ctx, self.config, self.options, room)
        except Exception as error:
            if not _transient(error):
                raise
            log.warning(
                "认领投递时数据库出错，稍后重试 / claiming failed, retrying: %s", _brief(error)
            )
            self.next_claim = time.monotonic() + 1.0
            return False
        if not jobs:
            # Nothing due now: ask again after a pause, or once an outcome frees a subject.
            self.next_claim = time.monotonic() + self.options.idle_seconds
            self.nothing_due = True
            return False
        self.nothing_due = False
        self.in_flight += len(jobs)
        for one in runs(jobs):
            self.tasks.add(asyncio.create_task(sender.run(one)))
        return True

    async def _collect(self, *, wait: bool) -> None:
        if self.tasks:
            timeout = self.options.record_every if wait else 0
            done, _ = await asyncio.wait(
                self.tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                self.tasks.discard(task)
                outcomes = task.result()
                self.in_flight -= len(outcomes)
                if not self.unrecorded:
                    self.oldest = time.monotonic()
                self.unrecorded += outcomes
        due = time.monotonic() - self.oldest >= self.options.record_every
        if self.unrecorded and (
            due or len(self.unrecorded) >= self.options.batch or not self.tasks
        ):
            await self._record()

    async def _record(self) -> None:
        outcomes, self.unrecorded = self.unrecorded, []
        try:
            counts = await asyncio.to_thread(
                record, self.ctx, self.options.worker, outcomes, self.options.backoff, self.rng
            )
        except Exception as error:
            if not _transient(error):
                raise
            log.warning(
                "记录投递结果时数据库出错，稍后重试 / recording failed, retrying: %s", _brief(error)
            )
            self.unrecorded = outcomes + self.unrecorded  # kept: recorded on the next try
            self.oldest = time.monotonic() + 1.0 - self.options.record_every
            await asyncio.sleep(1.0)
            return
        self.counts.add(counts)
        self.next_claim = 0.0  # a recorded outcome may free the next event of its subject
        self.nothing_due = False

    async def _drain(self) -> None:
        """On stop: let the requests in flight finish (each within its timeout) and record them;
        with the database away for a minute, stop anyway (the leases run out, and another
        dispatcher sends those deliveries again)."""
        give_up = time.monotonic() + 60 + self.config.timeout_seconds
        while (self.tasks or self.unrecorded) and time.monotonic() < give_up:
            await self._collect(wait=True)
            if not self.tasks and self.unrecorded:
                await self._record()
        if self.unrecorded:
            log.error(
                "停止时 %d 条投递结果未能记录 / %d outcomes left unrecorded at stop",
                len(self.unrecorded),
                len(self.unrecorded),
            )


def _brief(error: BaseException) -> str:
    """The driver's first line: not the statement (long) nor parameters (hidden anyway)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines() or [""]
    return f"{type(cause).__name__}: {lines[0][:200]}"


def _transient(error: BaseException) -> bool:
    return isinstance(error, ConcurrentWriteConflict) or connection_trouble(error)


def claim(
    ctx: ServiceContext, config: SharingConfig, options: DispatchOptions, limit: int
) -> list[Job]:
    """Lease up to ``limit`` due deliveries to this dispatcher; each ready to send."""
    now = ctx.now()
    lease = timedelta(seconds=options.lease_seconds)
    started = time.monotonic()
    with ctx.uow() as uow:
        uow.begin_write()
        rows = uow.deliveries.claim(now, now + lease, options.worker, limit)
        if not rows:
            return []
        events = uow.deliveries.events(row.event_id for row in rows)
        subscribers = uow.deliveries.subscribers(row.subscriber_id for row in rows)
        uow.commit()
    deadline = started + options.lease_seconds - config.timeout_seconds - LEASE_MARGIN_SECONDS
    ready = {key: _readiness(config, row, now) for key, row in subscribers.items()}
    jobs = []
    for row in rows:
        event, subscriber = events[row.event_id], subscribers[row.subscriber_id]
        signer, refused = ready[row.subscriber_id]
        jobs.append(
            Job(
                delivery_id=row.id,
                attempts=row.attempts,
                created_at=row.created_at,
                occurred_at=event.occurred_at,
                subscriber_id=subscriber.id,
                subscriber_code=subscriber.code,
                subject=row.subject,
                event_id=event.event_id,
                url=subscriber.url,
                body=body(event, subscriber, ctx.base_url),
                signer=signer,
                deadline=deadline,
                refused=refused,
            )
        )
    return jobs


def _readiness(
    config: SharingConfig, subscriber: Subscriber, now: datetime
) -> tuple[Signer | None, str | None]:
    """The subscriber's signer, or why nothing may be sent to it now: its address is checked
    again (a name may have been re-pointed at a forbidden address since registration)."""
    try:
        check_url(subscriber.url, allow_private=config.allow_private_urls)
        return signer_for(config, subscriber, webhook_secrets(config, subscriber, now)), None
    except FieldError as error:
        return None, f"{error.code}: {error.message_en}"[:300]
    except ValueError as error:
        return None, str(error)[:300]


# Operators ---------------------------------------------------------------------------------
def redeliver(
    ctx: ServiceContext,
    *,
    delivery_id: int | None = None,
    event_id: str | None = None,
    subscriber: str | None = None,
    actor: str,
) -> int:
    """Send a dead (or delivered) delivery again, named by its id or by the event's id and the
    subscriber's code: it is pending again, with a fresh 24 h of attempts, and the ledger says
    who asked. Returns the delivery's id. ``NotFound``; ``Conflict`` when it is still pending."""
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        row = None
        code = subscriber
        if delivery_id is not None:
            row = uow.deliveries.delivery(delivery_id)
        elif event_id and subscriber:
            found = uow.sharing.subscriber(subscriber)
            row = uow.deliveries.delivery_of(event_id, found.id) if found else None
        if row is None:
            raise NotFound(
                "DELIVERY_NOT_FOUND",
                "没有这条投递（请给出投递编号，或事件编号和订阅方代码）",
                "no such delivery (give its id, or the event id and the subscriber code)",
            )
        if row.state == PENDING:
            raise Conflict(
                "DELIVERY_PENDING",
                f"投递 {row.id} 尚在等待发送，无需重新投递",
                f"delivery {row.id} is still pending",
            )
        if code is None:
            found = uow.sharing.subscriber_by_id(row.subscriber_id)
            code = found.code if found else str(row.subscriber_id)
        data = {"delivery": row.id, "previous_state": row.state, "attempts": row.attempts}
        row.state, row.attempts, row.next_attempt_at, row.created_at = PENDING, 0, now, now
        row.lease_until = row.claimed_by = row.delivered_at = row.last_error = None
        entry = ledger.LedgerEvent(now, actor, "delivery.redelivered", f"subscriber:{code}", data)
        ledger.append(uow, [entry])
        uow.commit()
        return row.id


def status(ctx: ServiceContext) -> list[dict[str, object]]:
    """Per subscriber: whether it is active, deliveries pending, the age in seconds of the oldest
    pending one (its lag), those pending after a failed attempt (retrying), and dead ones."""
    now = ctx.now()
    with ctx.reader() as uow:
        subscribers = [(row.id, row.code, row.active) for row in uow.sharing.subscribers()]
        figures = uow.deliveries.figures()
    out: list[dict[str, object]] = []
    for subscriber_id, code, active in subscribers:
        one = figures.get(subscriber_id, {})
        oldest = one.get("oldest_pending")
        lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        out.append(
            {
                "code": code,
                "active": active,
                "pending": one.get("pending", 0),
                "oldest_pending_age_seconds": round(lag, 3),
                "retrying": one.get("retrying", 0),
                "dead": one.get("dead", 0),
            }
        )
    return out
