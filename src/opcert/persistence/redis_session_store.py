"""The session store in Redis, for several app processes or machines (``OPCERT_REDIS_URL``).

Layout under a key prefix (``opcert:`` by default):

- ``<p>session:<token hash>``: a hash (kind, subject, times, data); it expires shortly after the
  session does, so Redis forgets ended sessions on its own;
- ``<p>subject:<kind>:<subject>``: the set of that party's session digests, for revoking them all;
- ``<p>challenge:<id hash>``: a holder's pending login challenge;
- ``<p>file:<key hash>``: a kept file (an upload's error sheet), base64 in a hash, expiring.

Each change that must be decided once (revoke, count an attempt, consume a challenge) is one Lua
script, so it is atomic in Redis whatever the number of app processes.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from opcert.domain.sessions import ChallengeRecord, KeptFile, SessionKind, SessionRecord

# Seconds a record outlives its expiry in Redis: the clock decides liveness, this only frees memory.
GRACE = 3600

_SET_ONCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
"""
_INCREMENT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
"""
_SET_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


class RedisSessionStore:
    def __init__(self, client: redis.Redis, prefix: str = "opcert:") -> None:
        self._redis = client
        self._prefix = prefix
        self._set_once = client.register_script(_SET_ONCE)
        self._increment = client.register_script(_INCREMENT)
        self._set_if_exists = client.register_script(_SET_IF_EXISTS)

    @classmethod
    def from_url(cls, url: str, prefix: str = "opcert:") -> RedisSessionStore:
        return cls(redis.Redis.from_url(url, decode_responses=True), prefix)

    def _session_key(self, token_hash: str) -> str:
        return f"{self._prefix}session:{token_hash}"

    def _subject_key(self, kind: SessionKind, subject: str) -> str:
        return f"{self._prefix}subject:{kind.value}:{subject}"

    def _challenge_key(self, id_hash: str) -> str:
        return f"{self._prefix}challenge:{id_hash}"

    def add_session(self, record: SessionRecord) -> None:
        ttl = _ttl(record.created_at, record.expires_at)
        key, members = (
            self._session_key(record.token_hash),
            self._subject_key(record.kind, record.subject),
        )
        fields: dict[FieldT, EncodableT] = {
            "kind": record.kind.value,
            "subject": record.subject,
            "created_at": record.created_at.isoformat(),
            "expires_at": record.expires_at.isoformat(),
            "data": json.dumps(record.data, ensure_ascii=False),
        }
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping=fields)
        pipe.expire(key, ttl)
        pipe.sadd(members, record.token_hash)
        pipe.expire(members, ttl, gt=True)
        pipe.expire(members, ttl, nx=True)
        pipe.execute()

    def session(self, token_hash: str) -> SessionRecord | None:
        fields: dict[str, str] = self._redis.hgetall(self._session_key(token_hash))  # type: ignore[assignment]
        return _session_record(token_hash, fields) if fields else None

    def revoke_session(self, token_hash: str, at: datetime) -> SessionRecord | None:
        key = self._session_key(token_hash)
        before = self.session(token_hash)
        if before is None or before.revoked_at is not None:
            return None
        if not self._set_once(keys=[key], args=["revoked_at", at.isoformat()]):
            return None  # revoked by someone else in between
        return before

    def revoke_subject(self, kind: SessionKind, subject: str, at: datetime) -> int:
        members: set[str] = self._redis.smembers(self._subject_key(kind, subject))  # type: ignore[assignment]
        revoked = 0
        for token_hash in members:
            key = self._session_key(token_hash)
            revoked += int(self._set_once(keys=[key], args=["revoked_at", at.isoformat()]))
        return revoked

    def add_challenge(self, record: ChallengeRecord) -> None:
        key = self._challenge_key(record.id_hash)
        fields: dict[FieldT, EncodableT] = {
            "id_number": record.id_number,
            "name": record.name,
            "sent_to": record.sent_to,
            "code_hash": record.code_hash,
            "created_at": record.created_at.isoformat(),
            "expires_at": record.expires_at.isoformat(),
            "attempts": str(record.attempts),
            "verified": "1" if record.verified else "0",
        }
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping=fields)
        pipe.expire(key, _ttl(record.created_at, record.expires_at))
        pipe.execute()

    def challenge(self, id_hash: str) -> ChallengeRecord | None:
        fields: dict[str, str] = self._redis.hgetall(self._challenge_key(id_hash))  # type: ignore[assignment]
        if not fields:
            return None
        return ChallengeRecord(
            id_hash=id_hash,
            id_number=fields["id_number"],
            name=fields["name"],
            sent_to=fields["sent_to"],
            code_hash=fields["code_hash"],
            created_at=datetime.fromisoformat(fields["created_at"]),
            expires_at=datetime.fromisoformat(fields["expires_at"]),
            attempts=int(fields.get("attempts", "0")),
            verified=fields.get("verified") == "1",
            used_at=_instant(fields.get("used_at")),
        )

    def count_attempt(self, id_hash: str) -> int:
        return int(self._increment(keys=[self._challenge_key(id_hash)], args=["attempts"]))

    def mark_verified(self, id_hash: str) -> None:
        self._set_if_exists(keys=[self._challenge_key(id_hash)], args=["verified", "1"])

    def consume_challenge(self, id_hash: str, at: datetime) -> bool:
        key = self._challenge_key(id_hash)
        return bool(self._set_once(keys=[key], args=["used_at", at.isoformat()]))

    def keep_file(self, record: KeptFile) -> None:
        key = f"{self._prefix}file:{record.key_hash}"
        fields: dict[FieldT, EncodableT] = {
            "owner": record.owner,
            "data": base64.b64encode(record.data).decode("ascii"),
            "created_at": record.created_at.isoformat(),
            "expires_at": record.expires_at.isoformat(),
        }
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping=fields)
        pipe.expire(key, _ttl(record.created_at, record.expires_at))
        pipe.execute()

    def kept_file(self, key_hash: str) -> KeptFile | None:
        fields: dict[str, str] = self._redis.hgetall(f"{self._prefix}file:{key_hash}")  # type: ignore[assignment]
        if not fields:
            return None
        return KeptFile(
            key_hash=key_hash,
            owner=fields["owner"],
            data=base64.b64decode(fields["data"]),
            created_at=datetime.fromisoformat(fields["created_at"]),
            expires_at=datetime.fromisoformat(fields["expires_at"]),
        )


def _ttl(created_at: datetime, expires_at: datetime) -> int:
    return max(int((expires_at - created_at).total_seconds()), 1) + GRACE


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _session_record(token_hash: str, fields: dict[str, Any]) -> SessionRecord:
    return SessionRecord(
        token_hash=token_hash,
        kind=SessionKind(fields["kind"]),
        subject=fields["subject"],
        created_at=datetime.fromisoformat(fields["created_at"]),
        expires_at=datetime.fromisoformat(fields["expires_at"]),
        revoked_at=_instant(fields.get("revoked_at")),
        data=json.loads(fields.get("data") or "{}"),
    )
