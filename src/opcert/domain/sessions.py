"""Server-side sessions and login challenges as plain records, and the rule that says which
session is live.

A session is named by a random token that only its holder knows; the platform keeps the token's
SHA-256 digest, the kind of party, the subject and the times. Any app process reading the same
store therefore accepts a session another process made, and ends it for all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SessionKind(StrEnum):
    OFFICER = "officer"  # subject: the officer's id
    HOLDER = "holder"  # subject: the holder's resident ID number
    INSTITUTION = "institution"  # subject: the institution web user's id


@dataclass(frozen=True)
class SessionRecord:
    token_hash: str
    kind: SessionKind
    subject: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    data: dict[str, str] = field(default_factory=dict)  # e.g. the holder's name for the pages

    def live(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now`` (the expiry instant itself is past)."""
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class ChallengeRecord:
    """A holder's pending real-name login: the person, where the code went, the code's digest.

    ``verified`` is set once the code was right; ``used_at`` once a session (or an identity
    review) was made from it, after which it makes nothing more.
    """

    id_hash: str
    id_number: str
    name: str
    sent_to: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    verified: bool = False
    used_at: datetime | None = None

    def open(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True)
class KeptFile:
    """A short-lived file kept for one owner between two requests (an upload's error sheet),
    named by the digest of a random key only the owner's page holds."""

    key_hash: str
    owner: str
    data: bytes
    created_at: datetime
    expires_at: datetime

    def open_to(self, owner: str, now: datetime) -> bool:
        return self.owner == owner and now < self.expires_at
