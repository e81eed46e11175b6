"""The port behind sessions, login challenges and kept files (error sheets), shared by every app
process.

Two adapters: the database (``persistence.session_store.DatabaseSessionStore``, the default) and
Redis (``persistence.redis_session_store.RedisSessionStore``, where ``OPCERT_REDIS_URL`` is set);
``opcert.bootstrap`` chooses. Keys are SHA-256 digests of the secrets, never the secrets.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

from opcert.domain.sessions import ChallengeRecord, KeptFile, SessionKind, SessionRecord


def digest(secret: str) -> str:
    # Tokens and challenge ids carry at least 128 random bits: a plain SHA-256 cannot be reversed.
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionStore(Protocol):
    def add_session(self, record: SessionRecord) -> None:
        """Store a new session (and drop sessions whose expiry has passed at its creation)."""
        ...

    def session(self, token_hash: str) -> SessionRecord | None:
        """The stored session, live or not; None when unknown (or purged after expiry)."""
        ...

    def revoke_session(self, token_hash: str, at: datetime) -> SessionRecord | None:
        """Mark one session revoked; the record as it was when it was still unrevoked, or None
        when it was unknown or already revoked."""
        ...

    def revoke_subject(self, kind: SessionKind, subject: str, at: datetime) -> int:
        """Revoke every unrevoked session of one party; how many were revoked."""
        ...

    def add_challenge(self, record: ChallengeRecord) -> None: ...

    def challenge(self, id_hash: str) -> ChallengeRecord | None: ...

    def count_attempt(self, id_hash: str) -> int:
        """Add one code attempt atomically and return the new count (0 for an unknown one)."""
        ...

    def mark_verified(self, id_hash: str) -> None: ...

    def consume_challenge(self, id_hash: str, at: datetime) -> bool:
        """Mark the challenge used. True only for the one caller that did so first: two
        processes racing on one challenge cannot both get True."""
        ...

    def keep_file(self, record: KeptFile) -> None:
        """Keep a file until its expiry (and drop files whose expiry has passed)."""
        ...

    def kept_file(self, key_hash: str) -> KeptFile | None:
        """The kept file, expired or not; None when unknown or purged."""
        ...
