"""Deliveries of events to subscribers: claiming due work under a lease, recording outcomes, and
the figures operators read (lag, failures, dead letters).

A delivery is due when it is pending, its ``next_attempt_at`` has come, no dispatcher holds a
lease on it, its subscriber is active, and no earlier delivery (lower event id) of the same
subscriber and subject is still pending: each subject's events reach a subscriber in order. On
PostgreSQL the claim locks with ``FOR UPDATE SKIP LOCKED``, so dispatchers on several machines
share the work; on SQLite the claim runs under the write lock (``begin_write``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, aliased

from opcert.persistence.models import Delivery, SharingEvent, Subscriber
from opcert.persistence.repositories.chunks import chunks

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


class EventRow(Protocol):
    """What a webhook's body is built from: a ``SharingEvent``, or its row read by ``events``."""

    @property
    def event_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def data(self) -> dict[str, Any]: ...


def connection_trouble(error: BaseException) -> bool:
    """Whether ``error`` is the database going away or refusing for a while (a dropped or
    terminated connection, a server restart, a busy SQLite file), which a loop may outlast."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class DeliveryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # claiming ----------------------------------------------------------------------------
    def claim(
        self, now: datetime, lease_until: datetime, worker: str, limit: int
    ) -> list[Delivery]:
        """Lease up to ``limit`` due deliveries to ``worker``: the first pending delivery of each
        (subscriber, subject), then, when there is room, the due ones that follow it, in event
        order. Returned in event order."""
        heads = self._heads(now, limit)
        taken = list(heads)
        if heads and len(heads) < limit:
            taken += self._followers(heads, now, limit - len(heads))
        ids = [row.id for row in taken]
        for part in chunks(ids):
            self.session.execute(
                update(Delivery)
                .where(Delivery.id.in_(part))
                .values(lease_until=lease_until, claimed_by=worker)
                .execution_options(synchronize_session=False)
            )
        # The rows keep the values read (an attribute set here would be written again at commit).
        return sorted(taken, key=lambda row: row.event_id)

    def _heads(self, now: datetime, limit: int) -> Sequence[Delivery]:
        earlier = aliased(Delivery)
        blocked = (
            select(earlier.id)
            .where(
                earlier.subscriber_id == Delivery.subscriber_id,
                earlier.subject == Delivery.subject,
                earlier.event_id < Delivery.event_id,
                earlier.state == PENDING,
            )
            .exists()
        )
        query = (
            select(Delivery)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(
                Delivery.state == PENDING,
                Delivery.next_attempt_at <= now,
                or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
                Subscriber.active.is_(True),
                ~blocked,
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Delivery)
        )
        return self.session.scalars(query).all()

    def _followers(self, heads: Sequence[Delivery], now: datetime, room: int) -> list[Delivery]:
        """The due deliveries right after each head, in event order, stopping at the first that is
        not due or is leased. No other dispatcher can take them: their head is pending."""
        by_pair = {(h.subscriber_id, h.subject): h.event_id for h in heads}
        query = (
            select(Delivery)
            .where(
                Delivery.subscriber_id.in_({h.subscriber_id for h in heads}),
                Delivery.subject.in_(list({h.subject for h in heads})),
                Delivery.state == PENDING,
            )
            .order_by(Delivery.event_id)
        )
        stopped: set[tuple[int, str]] = set()
        found: list[Delivery] = []
        for row in self.session.scalars(query):
            pair = (row.subscriber_id, row.subject)
            head = by_pair.get(pair)
            if head is None or row.event_id <= head or pair in stopped:
                continue
            leased = row.lease_until is not None and row.lease_until >= now
            if row.next_attempt_at > now or leased:
                stopped.add(pair)
                continue
            found.append(row)
            if len(found) >= room:
                break
        return found

    def events(self, ids: Iterable[int]) -> dict[int, EventRow]:
        """The events of ``ids`` as plain rows (the columns a webhook's body is built from): the
        dispatcher reads thousands a second, and ORM objects cost it a third more."""
        columns = (
            SharingEvent.id,
            SharingEvent.event_id,
            SharingEvent.type,
            SharingEvent.subject,
            SharingEvent.occurred_at,
            SharingEvent.data,
        )
        found: dict[int, EventRow] = {}
        for part in chunks(list(dict.fromkeys(ids))):
            for row in self.session.execute(select(*columns).where(SharingEvent.id.in_(part))):
                found[row.id] = row
        return found

    def subscribers(self, ids: Iterable[int]) -> dict[int, Subscriber]:
        query = select(Subscriber).where(Subscriber.id.in_(list(set(ids))))
        return {row.id: row for row in self.session.scalars(query)}

    # recording ---------------------------------------------------------------------------
    def held(self, ids: Sequence[int], worker: str) -> dict[int, int]:
        """Of ``ids``, the pending deliveries ``worker`` still holds, with their attempts, locked
        until the end of the transaction. A dispatcher whose lease was taken over holds none."""
        found: dict[int, int] = {}
        for part in chunks(ids):
            query = (
                select(Delivery.id, Delivery.attempts)
                .where(
                    Delivery.id.in_(part),
                    Delivery.claimed_by == worker,
                    Delivery.state == PENDING,
                )
                .with_for_update()
            )
            found.update({row_id: attempts for row_id, attempts in self.session.execute(query)})
        return found

    def mark_delivered(self, ids: Sequence[int], status: int, now: datetime) -> None:
        for part in chunks(ids):
            self.session.execute(
                update(Delivery)
                .where(Delivery.id.in_(part))
                .values(
                    state=DELIVERED,
                    delivered_at=now,
                    attempts=Delivery.attempts + 1,
                    last_status=status,
                    last_error=None,
                    lease_until=None,
                )
                .execution_options(synchronize_session=False)
            )

    def mark_failed(self, rows: Sequence[dict[str, Any]]) -> None:
        """Each of ``rows``: ``id``, ``state`` (pending or dead), ``attempts``,
        ``next_attempt_at``, ``last_status``, ``last_error``. The lease is given up."""
        if rows:
            values = [{**row, "lease_until": None} for row in rows]
            self.session.execute(update(Delivery), values)

    def release(self, ids: Sequence[int]) -> None:
        """Give up the lease of deliveries not attempted (their subject stopped at a failure)."""
        for part in chunks(ids):
            self.session.execute(
                update(Delivery)
                .where(Delivery.id.in_(part))
                .values(lease_until=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            )

    def disable(self, subscriber_id: int, reason: str, now: datetime) -> Subscriber | None:
        """Disable an active subscriber and make its pending deliveries dead; the subscriber, or
        ``None`` when it was disabled already."""
        row = self.session.scalar(
            select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update()
        )
        if row is None or not row.active:
            return None
        row.active, row.disabled_reason, row.updated_at = False, reason[:200], now
        self.session.execute(
            update(Delivery)
            .where(Delivery.subscriber_id == subscriber_id, Delivery.state == PENDING)
            .values(state=DEAD, lease_until=None, last_error=reason[:300])
            .execution_options(synchronize_session=False)
        )
        self.session.flush()
        return row

    # one delivery --------------------------------------------------------------------------
    def delivery(self, delivery_id: int) -> Delivery | None:
        query = select(Delivery).where(Delivery.id == delivery_id).with_for_update()
        return self.session.scalar(query)

    def delivery_of(self, event_id: str, subscriber_id: int) -> Delivery | None:
        query = (
            select(Delivery)
            .join(SharingEvent, SharingEvent.id == Delivery.event_id)
            .where(SharingEvent.event_id == event_id, Delivery.subscriber_id == subscriber_id)
            .with_for_update(of=Delivery)
        )
        return self.session.scalar(query)

    # figures -------------------------------------------------------------------------------
    def figures(self) -> dict[int, dict[str, Any]]:
        """Per subscriber id: ``pending``, ``retrying`` (pending after a failed attempt),
        ``dead``, and ``oldest_pending`` (when the oldest pending delivery was created)."""
        query = (
            select(
                Delivery.subscriber_id,
                Delivery.state,
                func.count(),
                func.sum(case((Delivery.attempts > 0, 1), else_=0)),
                func.min(Delivery.created_at),
            )
            .where(Delivery.state.in_([PENDING, DEAD]))
            .group_by(Delivery.subscriber_id, Delivery.state)
        )
        out: dict[int, dict[str, Any]] = {}
        for subscriber_id, state, count, retrying, oldest in self.session.execute(query):
            one = out.setdefault(
                subscriber_id, {"pending": 0, "retrying": 0, "dead": 0, "oldest_pending": None}
            )
            if state == PENDING:
                one.update(pending=count, retrying=int(retrying or 0), oldest_pending=oldest)
            else:
                one["dead"] = count
        return out
