"""Storage of the transparency log: entries, tiles, the head and signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from opcert.persistence.models import LogCheckpoint, LogEntry, LogHead, LogTile
from opcert.persistence.repositories.bulk import bulk_insert


class LogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_size(self) -> int:
        """The log's size, its head row locked so concurrent appends queue up."""
        query = select(LogHead).where(LogHead.id == 1).with_for_update()
        head = self.session.scalar(query)
        if head is None:
            self.session.add(LogHead(id=1, size=0))
            self.session.flush()
            head = self.session.scalar(query)
            assert head is not None
        return head.size

    def size(self) -> int:
        head = self.session.get(LogHead, 1)
        return 0 if head is None else head.size

    def tiles(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        query = select(LogTile).where(tuple_(LogTile.level, LogTile.idx).in_(list(keys)))
        return {(t.level, t.idx): t.hashes for t in self.session.scalars(query)}

    def tile(self, level: int, index: int) -> bytes | None:
        row = self.session.get(LogTile, (level, index))
        return None if row is None else row.hashes

    def append(
        self, entries: Sequence[dict[str, Any]], tiles: Mapping[tuple[int, int], bytes], size: int
    ) -> None:
        """Store new entries and the tiles they changed, and move the head to ``size``."""
        bulk_insert(self.session, LogEntry.__table__, entries)  # type: ignore[arg-type]
        if tiles:
            self.session.execute(
                delete(LogTile).where(tuple_(LogTile.level, LogTile.idx).in_(list(tiles)))
            )
            rows = [{"level": k[0], "idx": k[1], "hashes": v} for k, v in tiles.items()]
            bulk_insert(self.session, LogTile.__table__, rows)  # type: ignore[arg-type]
        self.session.execute(update(LogHead).where(LogHead.id == 1).values(size=size))

    def by_cti(self, cti: str) -> LogEntry | None:
        return self.session.scalar(select(LogEntry).where(LogEntry.cti == cti))

    def entries(self, start: int, stop: int) -> list[bytes]:
        query = (
            select(LogEntry.entry)
            .where(LogEntry.idx >= start, LogEntry.idx < stop)
            .order_by(LogEntry.idx)
        )
        return list(self.session.scalars(query))

    def stream(self, batch: int = 5000) -> Iterator[tuple[int, str, bytes, str | None]]:
        """(index, cti, leaf hash, application id) of every entry, in log order."""
        query = (
            select(LogEntry.idx, LogEntry.cti, LogEntry.leaf_hash, LogEntry.application_id)
            .order_by(LogEntry.idx)
            .execution_options(yield_per=batch)
        )
        for row in self.session.execute(query):
            yield row.idx, row.cti, row.leaf_hash, row.application_id

    def latest_checkpoint(self) -> LogCheckpoint | None:
        query = select(LogCheckpoint).order_by(LogCheckpoint.size.desc(), LogCheckpoint.id.desc())
        return self.session.scalars(query.limit(1)).first()

    def add_checkpoint(self, size: int, root: bytes, signed_at: datetime, note: str) -> None:
        self.session.add(LogCheckpoint(size=size, root=root, signed_at=signed_at, note=note))
        self.session.flush()

    def checkpoints(self) -> Sequence[LogCheckpoint]:
        query = select(LogCheckpoint).order_by(LogCheckpoint.size, LogCheckpoint.id)
        return self.session.scalars(query).all()
