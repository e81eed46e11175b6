"""Data sharing: events, subscribers, rosters, the fan-out into deliveries, and feedback.
(Claiming and recording deliveries is ``repositories.deliveries``.)"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from opcert.persistence.models import (
    Certificate,
    Delivery,
    Feedback,
    RosterWorker,
    SharingEvent,
    Subscriber,
)
from opcert.persistence.repositories.chunks import chunks


class SharingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # events ------------------------------------------------------------------------------
    def add_events(self, rows: Sequence[SharingEvent]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def seen_dedupe_keys(self, keys: Iterable[str]) -> set[str]:
        wanted = list(keys)
        seen: set[str] = set()
        for part in chunks(wanted):
            query = select(SharingEvent.dedupe_key).where(SharingEvent.dedupe_key.in_(part))
            seen.update(k for k in self.session.scalars(query) if k is not None)
        return seen

    def events_after(
        self, after: int, limit: int, types: Sequence[str] | None = None
    ) -> Sequence[SharingEvent]:
        query = select(SharingEvent).where(SharingEvent.id > after)
        if types is not None:
            query = query.where(SharingEvent.type.in_(list(types)))
        return self.session.scalars(query.order_by(SharingEvent.id).limit(limit)).all()

    def event(self, event_id: str) -> SharingEvent | None:
        return self.session.scalar(select(SharingEvent).where(SharingEvent.event_id == event_id))

    def last_event_id(self) -> int:
        return int(self.session.scalar(select(func.max(SharingEvent.id))) or 0)

    def certificates(self, ids: Sequence[int]) -> dict[int, Certificate]:
        found: dict[int, Certificate] = {}
        unique = list(dict.fromkeys(ids))
        for part in chunks(unique):
            for row in self.session.scalars(select(Certificate).where(Certificate.id.in_(part))):
                found[row.id] = row
        return found

    # subscribers -------------------------------------------------------------------------
    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def subscriber(self, code: str, *, lock: bool = False) -> Subscriber | None:
        query = select(Subscriber).where(Subscriber.code == code)
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def subscriber_by_id(self, subscriber_id: int) -> Subscriber | None:
        return self.session.get(Subscriber, subscriber_id)

    def subscriber_by_key(self, key_hash: str) -> Subscriber | None:
        return self.session.scalar(select(Subscriber).where(Subscriber.key_hash == key_hash))

    def subscribers(self) -> Sequence[Subscriber]:
        return self.session.scalars(select(Subscriber).order_by(Subscriber.code)).all()

    def active_subscribers(self) -> list[Subscriber]:
        query = select(Subscriber).where(Subscriber.active.is_(True)).order_by(Subscriber.id)
        return list(self.session.scalars(query))

    # rosters -----------------------------------------------------------------------------
    def roster(self, subscriber_id: int) -> Sequence[RosterWorker]:
        query = select(RosterWorker).where(RosterWorker.subscriber_id == subscriber_id)
        return self.session.scalars(query.order_by(RosterWorker.id_number)).all()

    def replace_roster(self, subscriber_id: int, workers: Sequence[RosterWorker]) -> None:
        for row in self.roster(subscriber_id):
            self.session.delete(row)
        self.session.flush()
        self.session.add_all(workers)
        self.session.flush()

    def roster_members(
        self, subscriber_ids: Sequence[int], id_numbers: Iterable[str]
    ) -> set[tuple[int, str, str]]:
        """(subscriber, id_number, item or "") of every roster line naming one of the numbers."""
        numbers = list(dict.fromkeys(id_numbers))
        found: set[tuple[int, str, str]] = set()
        for part in chunks(numbers):
            query = select(
                RosterWorker.subscriber_id, RosterWorker.id_number, RosterWorker.item_code
            ).where(
                RosterWorker.subscriber_id.in_(list(subscriber_ids)),
                RosterWorker.id_number.in_(part),
            )
            found.update((s, n, i or "") for s, n, i in self.session.execute(query))
        return found

    def on_roster(self, subscriber_id: int, id_number: str, item_code: str) -> bool:
        query = select(RosterWorker.id).where(
            RosterWorker.subscriber_id == subscriber_id,
            RosterWorker.id_number == id_number,
            RosterWorker.item_code.in_(["", item_code]),
        )
        return self.session.scalar(query.limit(1)) is not None

    # deliveries --------------------------------------------------------------------------
    def add_deliveries(
        self, pairs: Sequence[tuple[SharingEvent, Subscriber]], now: datetime
    ) -> None:
        if not pairs:
            return
        values = [
            {
                "event_id": event.id,
                "subscriber_id": subscriber.id,
                "subject": event.subject,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for event, subscriber in pairs
        ]
        self.session.execute(insert(Delivery), values)

    # feedback ----------------------------------------------------------------------------
    def feedback_by_ref(self, subscriber_id: int, ref: str) -> Feedback | None:
        query = select(Feedback).where(Feedback.subscriber_id == subscriber_id, Feedback.ref == ref)
        return self.session.scalar(query)

    def feedback_for(self, certificate_id: int) -> Sequence[Feedback]:
        query = select(Feedback).where(Feedback.certificate_id == certificate_id)
        return self.session.scalars(query.order_by(Feedback.id)).all()

    def recent_feedback(self, limit: int = 100) -> Sequence[Feedback]:
        return self.session.scalars(
            select(Feedback).order_by(Feedback.id.desc()).limit(limit)
        ).all()

    # --- the officers' sharing page ---
    def feedback_of(self, subscriber_ids: Sequence[int] | None, limit: int) -> Sequence[Feedback]:
        """The newest outcomes fed back by these subscribers (every subscriber: ``None``)."""
        query = select(Feedback)
        if subscriber_ids is not None:
            if not subscriber_ids:
                return []
            query = query.where(Feedback.subscriber_id.in_(list(subscriber_ids)))
        return self.session.scalars(query.order_by(Feedback.id.desc()).limit(limit)).all()

    def dead_deliveries(
        self, subscriber_id: int, limit: int
    ) -> list[tuple[Delivery, SharingEvent]]:
        """The subscriber's newest dead letters, each with its event."""
        query = (
            select(Delivery, SharingEvent)
            .join(SharingEvent, SharingEvent.id == Delivery.event_id)
            .where(Delivery.subscriber_id == subscriber_id, Delivery.state == "dead")
            .order_by(Delivery.event_id.desc())
            .limit(limit)
        )
        return [(delivery, event) for delivery, event in self.session.execute(query)]

    def roster_size(self, subscriber_id: int) -> int:
        query = select(func.count()).where(RosterWorker.subscriber_id == subscriber_id)
        return int(self.session.scalar(query) or 0)

    # the scheduled expiry events ---------------------------------------------------------
    def valid_to_between(
        self, start: date, end: date, after_id: int, limit: int
    ) -> Sequence[Certificate]:
        """Active (or suspended) certificates whose validity ends in [start, end], by id."""
        query = (
            select(Certificate)
            .where(
                Certificate.state.in_(["active", "suspended"]),
                Certificate.valid_to.between(start, end),
                Certificate.id > after_id,
            )
            .order_by(Certificate.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()
