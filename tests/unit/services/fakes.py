"""An in-memory unit of work (the Protocol of ``opcert.services.kernel.uow``) for fast service
tests in the cosmicpython style: the rows are the mapped models, held in lists, never in a
session. A unit of work that leaves without ``commit`` puts every row back as it found it.

Implemented: what the certificate acts and officer approval (with the issuance it runs) call.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import inspect

from opcert.domain.certificates import StatusCode
from opcert.persistence.models import (
    Application,
    Authority,
    Certificate,
    CredentialVersion,
    Delivery,
    Person,
    RosterWorker,
    SharingEvent,
    SigningKeyRow,
    StatusListBitsRow,
    StatusListRow,
    Subscriber,
)
from opcert.persistence.models.lifecycle import ReviewRow
from opcert.persistence.repositories.certificates import REISSUED, NewCertificate, NewVersion

GENESIS = "0" * 64


@dataclass
class FakeDatabase:
    """Every table the fake repositories touch, by mapped class; ids are handed out in order."""

    tables: dict[type, list[Any]] = field(default_factory=dict)
    ledger_head: tuple[int, str] = (0, GENESIS)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    log_size: int = 0
    log_entries: list[dict[str, Any]] = field(default_factory=list)
    log_tiles: dict[tuple[int, int], bytes] = field(default_factory=dict)
    commits: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def rows(self, model: type) -> list[Any]:
        return self.tables.setdefault(model, [])

    def add(self, row: Any) -> None:
        keys = inspect(type(row)).primary_key
        if len(keys) == 1 and keys[0].name == "id" and getattr(row, "id", None) is None:
            row.id = next(self._ids)
        self.rows(type(row)).append(row)

    def next_id(self) -> int:
        return next(self._ids)

    def snapshot(self) -> Any:
        columns = {
            id(row): {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}
            for rows in self.tables.values()
            for row in rows
        }
        lists = {model: list(rows) for model, rows in self.tables.items()}
        plain = (self.ledger_head, list(self.ledger), self.log_size, list(self.log_entries))
        return columns, lists, plain, dict(self.log_tiles)

    def restore(self, saved: Any) -> None:
        columns, lists, plain, tiles = saved
        self.tables = lists
        for rows in lists.values():
            for row in rows:
                for key, value in columns[id(row)].items():
                    setattr(row, key, value)
        self.ledger_head, self.ledger, self.log_size, self.log_entries = plain
        self.log_tiles = tiles


class _Store:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, row: object) -> None:
        self.db.add(row)


class FakeCertificates(_Store):
    def get(self, number: str, item_code: str, *, lock: bool = False) -> Certificate | None:
        found = [
            c for c in self.db.rows(Certificate) if (c.number, c.item_code) == (number, item_code)
        ]
        return found[0] if found else None

    def insert_certificates(
        self, rows: Sequence[NewCertificate], current_version_ids: Sequence[int]
    ) -> list[int]:
        ids = [self.db.next_id() for _ in rows]
        for row, new_id, version_id in zip(rows, ids, current_version_ids, strict=True):
            self.db.add(Certificate(**row._asdict(), id=new_id, current_version_id=version_id))
        return ids

    def reissue(self, row: Certificate, terms: NewCertificate) -> None:
        for key in REISSUED:
            setattr(row, key, getattr(terms, key))
        row.state_reason = row.state_changed_at = None

    def reserve_version_ids(self, count: int) -> list[int]:
        return [self.db.next_id() for _ in range(count)]

    def insert_versions(self, rows: Sequence[NewVersion]) -> None:
        for row in rows:
            self.db.add(CredentialVersion(**row._asdict(), status_value=0))

    def by_pairs(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Certificate]:
        wanted = set(pairs)
        return {
            (c.id_number, c.item_code): c
            for c in self.db.rows(Certificate)
            if (c.id_number, c.item_code) in wanted
        }

    def version(self, version_id: int) -> CredentialVersion | None:
        found = [v for v in self.db.rows(CredentialVersion) if v.id == version_id]
        return found[0] if found else None

    def set_status(self, version: CredentialVersion, value: int, now: datetime) -> int:
        version.status_value = value
        [listed] = [s for s in self.db.rows(StatusListRow) if s.list_id == version.list_id]
        listed.revision, listed.updated_at = listed.revision + 1, now
        return int(listed.revision)

    def stored_bits(self, list_id: str) -> StatusListBitsRow | None:
        found = [b for b in self.db.rows(StatusListBitsRow) if b.list_id == list_id]
        return found[0] if found else None

    def store_bits(
        self, list_id: str, revision: int, cutoff: date, bits: str, now: datetime
    ) -> None:
        row = self.stored_bits(list_id)
        if row is None:
            row = StatusListBitsRow(list_id=list_id)
            self.db.add(row)
        row.revision, row.lapse_cutoff, row.bits, row.built_at = revision, cutoff, bits, now

    def status_lists(self, issuer: str, *, lock: bool = False) -> Sequence[StatusListRow]:
        rows = [s for s in self.db.rows(StatusListRow) if s.issuer == issuer]
        return sorted(rows, key=lambda s: s.list_id)

    def used_indexes(self, list_id: str) -> set[int]:
        return {v.list_index for v in self.db.rows(CredentialVersion) if v.list_id == list_id}

    def status_of(self, number: str, item: str) -> tuple[str, StatusCode]:
        """For the tests: the row's state and its current version's status entry."""
        row = self.get(number, item)
        assert row is not None and row.current_version_id is not None
        version = self.version(row.current_version_id)
        assert version is not None
        return row.state, StatusCode(version.status_value)


class FakeLifecycle(_Store):
    def has_pending_review(self, certificate_id: int, due: date) -> bool:
        return any(
            r.certificate_id == certificate_id and r.status == "pending" and r.due_on == due
            for r in self.db.rows(ReviewRow)
        )


class FakeLedger:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def lock_head(self) -> tuple[int, str]:
        return self.db.ledger_head

    def append(self, rows: Sequence[dict[str, Any]], seq: int, tip: str) -> None:
        self.db.ledger.extend(rows)
        self.db.ledger_head = (seq, tip)

    def kinds(self, subject: str | None = None) -> list[str]:
        """For the tests: the kinds of the entries, of one subject when given."""
        return [r["kind"] for r in self.db.ledger if subject in (None, r["subject"])]


class FakeLog:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def lock_size(self) -> int:
        return self.db.log_size

    def tiles(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {k: self.db.log_tiles[k] for k in keys if k in self.db.log_tiles}

    def append(
        self, entries: Sequence[dict[str, Any]], tiles: Mapping[tuple[int, int], bytes], size: int
    ) -> None:
        self.db.log_entries.extend(entries)
        self.db.log_tiles.update(tiles)
        self.db.log_size = size


class FakeRegistry(_Store):
    def authority(self, code: str) -> Authority | None:
        found = [a for a in self.db.rows(Authority) if a.code == code]
        return found[0] if found else None

    def lock_authority(self, code: str) -> None:
        return None


class FakePersons(_Store):
    def by_id_number(self, id_number: str) -> Person | None:
        found = [p for p in self.db.rows(Person) if p.id_number == id_number]
        return found[0] if found else None


class FakeApplications(_Store):
    def get(self, application_id: str, *, lock: bool = False) -> Application | None:
        found = [a for a in self.db.rows(Application) if a.id == application_id]
        return found[0] if found else None


class FakeKeys:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, row: SigningKeyRow) -> None:
        self.db.add(row)

    def get(self, kid: str) -> SigningKeyRow | None:
        found = [k for k in self.db.rows(SigningKeyRow) if k.kid == kid]
        return found[0] if found else None

    def active_for(self, issuer: str) -> SigningKeyRow | None:
        active = [
            k for k in self.db.rows(SigningKeyRow) if (k.issuer, k.status) == (issuer, "active")
        ]
        return max(active, key=lambda k: k.created_at) if active else None


class FakeSharing(_Store):
    """The event outbox and its fan-out, in memory (issue 17)."""

    def add_events(self, rows: Sequence[SharingEvent]) -> None:
        for row in rows:
            self.db.add(row)

    def active_subscribers(self) -> list[Subscriber]:
        return [s for s in self.db.rows(Subscriber) if s.active]

    def roster_members(
        self, subscriber_ids: Sequence[int], id_numbers: Iterable[str]
    ) -> set[tuple[int, str, str]]:
        numbers = set(id_numbers)
        return {
            (r.subscriber_id, r.id_number, r.item_code or "")
            for r in self.db.rows(RosterWorker)
            if r.subscriber_id in subscriber_ids and r.id_number in numbers
        }

    def add_deliveries(
        self, pairs: Sequence[tuple[SharingEvent, Subscriber]], now: datetime
    ) -> None:
        for event, subscriber in pairs:
            self.db.add(
                Delivery(
                    event_id=event.id, subscriber_id=subscriber.id, subject=event.subject,
                    state="pending", attempts=0, next_attempt_at=now, created_at=now,
                )
            )  # fmt: skip

    def certificates(self, ids: Sequence[int]) -> dict[int, Certificate]:
        return {c.id: c for c in self.db.rows(Certificate) if c.id in set(ids)}

    def events(self) -> list[SharingEvent]:
        """For the tests: every event written, in order."""
        return list(self.db.rows(SharingEvent))


class FakeUnitOfWork:
    """One unit of work on ``db``; use as ``with FakeUnitOfWork(db) as uow: ...; uow.commit()``."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.certificates = FakeCertificates(db)
        self.lifecycle = FakeLifecycle(db)
        self.ledger = FakeLedger(db)
        self.log = FakeLog(db)
        self.registry = FakeRegistry(db)
        self.persons = FakePersons(db)
        self.applications = FakeApplications(db)
        self.keys = FakeKeys(db)
        self.sharing = FakeSharing(db)
        self._saved: Any = None

    def __enter__(self) -> FakeUnitOfWork:
        self._saved = self.db.snapshot()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def begin_write(self) -> None:
        return None

    def flush(self) -> None:
        return None

    def commit(self) -> None:
        self.db.commits += 1
        self._saved = self.db.snapshot()

    def rollback(self) -> None:
        if self._saved is not None:
            self.db.restore(self._saved)
