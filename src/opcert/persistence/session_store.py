"""The session store in the database: tables ``sessions``, ``login_challenges`` and
``kept_files``.

Every call is its own short transaction, so a session made by one app process is seen by every
other process on the same database as soon as the call returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import CursorResult, Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from opcert.domain.sessions import ChallengeRecord, KeptFile, SessionKind, SessionRecord
from opcert.persistence.models.sessions import KeptFileRow, LoginChallengeRow, SessionRow


class DatabaseSessionStore:
    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions

    @classmethod
    def for_engine(cls, engine: Engine) -> DatabaseSessionStore:
        return cls(sessionmaker(engine, expire_on_commit=False))

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            if write:
                # SQLite: take the write lock up front (BEGIN IMMEDIATE), see database.py.
                session.connection(execution_options={"sqlite_immediate": True})
            yield session

    def add_session(self, record: SessionRecord) -> None:
        with self._tx() as db:
            db.execute(delete(SessionRow).where(SessionRow.expires_at <= record.created_at))
            db.add(
                SessionRow(
                    token_hash=record.token_hash,
                    kind=record.kind.value,
                    subject=record.subject,
                    data=dict(record.data),
                    created_at=record.created_at,
                    expires_at=record.expires_at,
                    revoked_at=record.revoked_at,
                )
            )

    def session(self, token_hash: str) -> SessionRecord | None:
        with self._tx(write=False) as db:
            row = db.get(SessionRow, token_hash)
            return _session_record(row) if row is not None else None

    def revoke_session(self, token_hash: str, at: datetime) -> SessionRecord | None:
        with self._tx() as db:
            row = db.get(SessionRow, token_hash, with_for_update=True)
            if row is None or row.revoked_at is not None:
                return None
            before = _session_record(row)
            row.revoked_at = at
            return before

    def revoke_subject(self, kind: SessionKind, subject: str, at: datetime) -> int:
        with self._tx() as db:
            result = db.execute(
                update(SessionRow)
                .where(
                    SessionRow.kind == kind.value,
                    SessionRow.subject == subject,
                    SessionRow.revoked_at.is_(None),
                )
                .values(revoked_at=at)
            )
            return _rowcount(result)

    def add_challenge(self, record: ChallengeRecord) -> None:
        with self._tx() as db:
            db.execute(
                delete(LoginChallengeRow).where(LoginChallengeRow.expires_at <= record.created_at)
            )
            db.add(
                LoginChallengeRow(
                    id_hash=record.id_hash,
                    id_number=record.id_number,
                    name=record.name,
                    sent_to=record.sent_to,
                    code_hash=record.code_hash,
                    attempts=record.attempts,
                    verified=record.verified,
                    created_at=record.created_at,
                    expires_at=record.expires_at,
                    used_at=record.used_at,
                )
            )

    def challenge(self, id_hash: str) -> ChallengeRecord | None:
        with self._tx(write=False) as db:
            row = db.get(LoginChallengeRow, id_hash)
            return _challenge_record(row) if row is not None else None

    def count_attempt(self, id_hash: str) -> int:
        with self._tx() as db:
            # One UPDATE: concurrent attempts each add one, none is lost.
            db.execute(
                update(LoginChallengeRow)
                .where(LoginChallengeRow.id_hash == id_hash)
                .values(attempts=LoginChallengeRow.attempts + 1)
            )
            attempts = db.scalar(
                select(LoginChallengeRow.attempts).where(LoginChallengeRow.id_hash == id_hash)
            )
            return int(attempts or 0)

    def mark_verified(self, id_hash: str) -> None:
        with self._tx() as db:
            db.execute(
                update(LoginChallengeRow)
                .where(LoginChallengeRow.id_hash == id_hash)
                .values(verified=True)
            )

    def consume_challenge(self, id_hash: str, at: datetime) -> bool:
        with self._tx() as db:
            # The condition on used_at makes this a compare-and-set: one winner per challenge.
            result = db.execute(
                update(LoginChallengeRow)
                .where(LoginChallengeRow.id_hash == id_hash, LoginChallengeRow.used_at.is_(None))
                .values(used_at=at)
            )
            return _rowcount(result) == 1

    def keep_file(self, record: KeptFile) -> None:
        with self._tx() as db:
            db.execute(delete(KeptFileRow).where(KeptFileRow.expires_at <= record.created_at))
            db.add(
                KeptFileRow(
                    key_hash=record.key_hash,
                    owner=record.owner,
                    data=record.data,
                    created_at=record.created_at,
                    expires_at=record.expires_at,
                )
            )

    def kept_file(self, key_hash: str) -> KeptFile | None:
        with self._tx(write=False) as db:
            row = db.get(KeptFileRow, key_hash)
            if row is None:
                return None
            return KeptFile(row.key_hash, row.owner, row.data, row.created_at, row.expires_at)


def _rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


def _session_record(row: SessionRow) -> SessionRecord:
    return SessionRecord(
        token_hash=row.token_hash,
        kind=SessionKind(row.kind),
        subject=row.subject,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        data=dict(row.data or {}),
    )


def _challenge_record(row: LoginChallengeRow) -> ChallengeRecord:
    return ChallengeRecord(
        id_hash=row.id_hash,
        id_number=row.id_number,
        name=row.name,
        sent_to=row.sent_to,
        code_hash=row.code_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        attempts=row.attempts,
        verified=row.verified,
        used_at=row.used_at,
    )
