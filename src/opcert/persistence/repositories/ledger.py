"""Append-only access to the hash-chained ledger and its signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opcert.persistence.models import LedgerCheckpoint, LedgerEntry, LedgerHead
from opcert.persistence.repositories.bulk import bulk_insert

GENESIS_HASH = "0" * 64


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_head(self) -> tuple[int, str]:
        """Return ``(seq, hash)`` of the tip, locking it so concurrent appends queue up."""
        query = select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
        head = self.session.scalar(query)
        if head is None:
            self.session.add(LedgerHead(id=1, seq=0, hash=GENESIS_HASH))
            self.session.flush()
            head = self.session.scalar(query)
            if head is None:
                raise RuntimeError("the ledger head row was not stored")
        return head.seq, head.hash

    def head(self) -> tuple[int, str]:
        head = self.session.get(LedgerHead, 1)
        return (0, GENESIS_HASH) if head is None else (head.seq, head.hash)

    def append(self, rows: Sequence[dict[str, Any]], seq: int, tip: str) -> None:
        if rows:
            bulk_insert(self.session, LedgerEntry.__table__, rows)  # type: ignore[arg-type]
        self.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(seq=seq, hash=tip))

    def stream(self, batch: int = 5000) -> Iterator[LedgerEntry]:
        query = select(LedgerEntry).order_by(LedgerEntry.seq).execution_options(yield_per=batch)
        yield from self.session.scalars(query)

    def entries_for(self, subject: str) -> Sequence[LedgerEntry]:
        query = select(LedgerEntry).where(LedgerEntry.subject == subject).order_by(LedgerEntry.seq)
        return self.session.scalars(query).all()

    def entry(self, seq: int) -> LedgerEntry | None:
        return self.session.get(LedgerEntry, seq)

    def add_checkpoint(self, seq: int, digest: str, signed_at: datetime, jws: str) -> None:
        self.session.add(LedgerCheckpoint(seq=seq, hash=digest, signed_at=signed_at, jws=jws))
        self.session.flush()

    def checkpoints(self) -> Sequence[LedgerCheckpoint]:
        query = select(LedgerCheckpoint).order_by(LedgerCheckpoint.seq, LedgerCheckpoint.id)
        return self.session.scalars(query).all()
