"""The audit ledger: every state change, hash-chained, from exam result to issued certificate.

Each entry's hash is SHA-256 over every column of the entry (``entry_hash``): the rule's name,
``seq``, ``at``, ``actor``, ``kind``, ``subject``, ``body`` and ``prev_hash``, as one canonical
JSON array, so no two different entries share an encoding and changing any column breaks the
hash (decision 0009). Deleting or reordering entries breaks the sequence or the chain; truncating
the tail disagrees with the stored head. A rewrite of the head as well is caught by the signed
checkpoints (``services.ledger_anchor``, ``opcert ledger checkpoint``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opcert.persistence.models import LedgerEntry
from opcert.persistence.repositories.ledger import GENESIS_HASH
from opcert.persistence.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LedgerEvent:
    at: datetime
    actor: str
    kind: str
    subject: str
    data: dict[str, Any] = field(default_factory=dict)


def canonical_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


# The name of the hashing rule, first in every hashed array: a future rule gets a new name.
HASH_RULE = "opcert-ledger-entry/2"


def instant(at: datetime) -> str:
    """The canonical text of an entry's time: UTC, microseconds, as both backends store it."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *, seq: int, at: datetime, actor: str, kind: str, subject: str, body: str, prev_hash: str
) -> str:
    """SHA-256 (hex) over every column of an entry, as a JSON array of ASCII text.

    JSON quotes and escapes each string, so field boundaries cannot shift (``"ab","c"`` and
    ``"a","bc"`` differ) and any text, lone surrogates included, has exactly one encoding.
    """
    fields = [HASH_RULE, seq, instant(at), actor, kind, subject, body, prev_hash]
    encoded = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def append(uow: UnitOfWork, events: Sequence[LedgerEvent]) -> None:
    """Append events in order, inside the caller's transaction."""
    if not events:
        return
    seq, tip = uow.ledger.lock_head()
    rows = []
    for event in events:
        seq += 1
        at = event.at.astimezone(UTC)
        body = canonical_json(
            {
                "seq": seq,
                "at": at.isoformat(),
                "actor": event.actor,
                "kind": event.kind,
                "subject": event.subject,
                "data": event.data,
            }
        )
        digest = entry_hash(
            seq=seq,
            at=at,
            actor=event.actor,
            kind=event.kind,
            subject=event.subject,
            body=body,
            prev_hash=tip,
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": event.actor,
                "kind": event.kind,
                "subject": event.subject,
                "body": body,
                "prev_hash": tip,
                "hash": digest,
            }
        )
        tip = digest
    uow.ledger.append(rows, seq, tip)


@dataclass(frozen=True)
class LedgerReport:
    ok: bool
    entries: int
    head_hash: str
    problems: list[str]


def verify(uow: UnitOfWork, max_problems: int = 20) -> LedgerReport:
    """Walk the whole chain; report the first problems found (never raises on a bad chain)."""
    problems: list[str] = []
    expected_seq, tip, count = 1, GENESIS_HASH, 0
    for entry in uow.ledger.stream():
        count += 1
        problems.extend(_check_entry(entry, expected_seq, tip))
        expected_seq, tip = entry.seq + 1, entry.hash
        if len(problems) >= max_problems:
            break
    head_seq, head_hash = uow.ledger.head()
    if len(problems) < max_problems and (head_seq != expected_seq - 1 or head_hash != tip):
        problems.append(
            f"账本末尾与记录的链头不一致（链头 #{head_seq}，实际末条 #{expected_seq - 1}）/ "
            "the last entry does not match the recorded head: entries were removed from the end"
        )
    return LedgerReport(ok=not problems, entries=count, head_hash=head_hash, problems=problems)


def _check_entry(entry: LedgerEntry, expected_seq: int, tip: str) -> list[str]:
    seq, body, prev_hash = entry.seq, entry.body, entry.prev_hash
    found = []
    if seq != expected_seq:
        found.append(
            f"#{seq}: 序号应为 {expected_seq}，有条目被删除或重排 / entry missing or reordered"
        )
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    body_seq = parsed.get("seq") if isinstance(parsed, dict) else None
    if body_seq != seq:
        found.append(f"#{seq}: 条目内容中的序号为 {body_seq} / body sequence differs: entry moved")
    if prev_hash != tip:
        found.append(f"#{seq}: 前一哈希不匹配 / previous hash does not match the chain")
    recomputed = entry_hash(
        seq=seq,
        at=entry.at,
        actor=entry.actor,
        kind=entry.kind,
        subject=entry.subject,
        body=body,
        prev_hash=prev_hash,
    )
    if recomputed != entry.hash:
        found.append(f"#{seq}: 内容被修改（哈希不符）/ an entry's column was edited: hash mismatch")
    return found
