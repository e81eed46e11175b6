"""Storage of the transparency log: entries, tiles, the head and signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from opcert.persistence.models import (
    Application,
    Certificate,
    CredentialVersion,
    ExamResult,
    LegacyCard,
    LogCheckpoint,
    LogEntry,
    LogHead,
    LogTile,
    SigningKeyRow,
)
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
            if head is None:
                raise RuntimeError("the transparency log head row was not stored")
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

    def stream_entries(self, batch: int = 5000) -> Iterator[tuple[int, str, bytes, bytes]]:
        """(index, cti, leaf hash, entry) of every entry, in log order."""
        query = (
            select(LogEntry.idx, LogEntry.cti, LogEntry.leaf_hash, LogEntry.entry)
            .order_by(LogEntry.idx)
            .execution_options(yield_per=batch)
        )
        for row in self.session.execute(query):
            yield row.idx, row.cti, row.leaf_hash, row.entry

    def latest_checkpoint(self) -> LogCheckpoint | None:
        query = select(LogCheckpoint).order_by(LogCheckpoint.size.desc(), LogCheckpoint.id.desc())
        return self.session.scalars(query.limit(1)).first()

    def add_checkpoint(self, size: int, root: bytes, signed_at: datetime, note: str) -> None:
        self.session.add(LogCheckpoint(size=size, root=root, signed_at=signed_at, note=note))
        self.session.flush()

    def checkpoints(self) -> Sequence[LogCheckpoint]:
        query = select(LogCheckpoint).order_by(LogCheckpoint.size, LogCheckpoint.id)
        return self.session.scalars(query).all()

    # reconciliation with the records (opcert log audit) ------------------------------------

    def versions_against_log(self, batch: int = 5000) -> Iterator[Any]:
        """Every credential version with its certificate, its key and its log entry (if any):
        ``number, item_code, cti, sc1, iat, nbf_at, retired_at, revoked_at, key_known,
        leaf_hash``."""
        query = (
            select(
                Certificate.number,
                Certificate.item_code,
                CredentialVersion.cti,
                CredentialVersion.sc1,
                CredentialVersion.iat,
                SigningKeyRow.nbf_at,
                SigningKeyRow.retired_at,
                SigningKeyRow.revoked_at,
                SigningKeyRow.kid.label("key_known"),
                LogEntry.leaf_hash,
            )
            .join(Certificate, Certificate.id == CredentialVersion.certificate_id, isouter=True)
            .join(SigningKeyRow, SigningKeyRow.kid == CredentialVersion.kid, isouter=True)
            .join(LogEntry, LogEntry.cti == CredentialVersion.cti, isouter=True)
            .order_by(CredentialVersion.id)
            .execution_options(yield_per=batch)
        )
        yield from self.session.execute(query)

    def certificates_without_credential(self) -> list[tuple[str, str]]:
        """``number, item_code`` of certificates whose current version is not stored."""
        query = (
            select(Certificate.number, Certificate.item_code)
            .join(
                CredentialVersion,
                CredentialVersion.id == Certificate.current_version_id,
                isouter=True,
            )
            .where(CredentialVersion.id.is_(None))
            .order_by(Certificate.id)
        )
        return [(row.number, row.item_code) for row in self.session.execute(query)]

    def entries_without_certificate(self) -> list[tuple[int, str]]:
        """``idx, cti`` of log entries with no stored credential version or no certificate."""
        query = (
            select(LogEntry.idx, LogEntry.cti)
            .join(CredentialVersion, CredentialVersion.cti == LogEntry.cti, isouter=True)
            .join(Certificate, Certificate.id == CredentialVersion.certificate_id, isouter=True)
            .where(Certificate.id.is_(None))
            .order_by(LogEntry.idx)
        )
        return [(row.idx, row.cti) for row in self.session.execute(query)]

    def certificates_without_passed_result(self) -> list[tuple[str, str, bool | None]]:
        """``number, item_code, passed`` of certificates whose exam result is missing
        (``passed`` None) or failed. A certificate with no application (legacy conversion,
        synthetic data) counts as backed by a passed result of the same person and item;
        a converted legacy card needs none."""
        result = aliased(ExamResult)
        other = aliased(ExamResult)
        same_person_passed = (
            select(other.id)
            .where(
                Certificate.application_id.is_(None),
                other.id_number == Certificate.id_number,
                other.item_code == Certificate.item_code,
                other.passed.is_(True),
            )
            .exists()
        )
        legacy = select(LegacyCard.id).where(LegacyCard.certificate_id == Certificate.id).exists()
        query = (
            select(Certificate.number, Certificate.item_code, result.passed)
            .join(Application, Application.id == Certificate.application_id, isouter=True)
            .join(result, result.id == Application.result_id, isouter=True)
            .where(
                or_(result.id.is_(None), result.passed.is_(False)),
                ~same_person_passed,
                ~legacy,
            )
            .order_by(Certificate.id)
        )
        return [(row.number, row.item_code, row.passed) for row in self.session.execute(query)]
