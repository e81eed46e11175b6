"""The ledger hash covers every column of an entry; signed checkpoints of the head

Until now an entry's hash covered the previous hash and the JSON body only, so the ``at``,
``actor``, ``kind`` and ``subject`` columns could be changed without ``opcert ledger verify``
noticing. This migration

1. verifies the existing chain under the old rule (SHA-256 of ``prev_hash + body``, sequence
   numbers 1..n without gaps, the body repeating its sequence number, the head on the last
   entry) and refuses to go on if it is broken: re-hashing a tampered chain would launder it;
2. re-hashes every entry under the new rule (decision 0009: SHA-256 over the canonical JSON
   array ``["opcert-ledger-entry/2", seq, at, actor, kind, subject, body, prev_hash]``) and moves
   the head;
3. appends one entry ``ledger.rehashed`` that records the old head (sequence number and hash), so
   a head hash published before the upgrade can still be matched to this chain;
4. creates ``ledger_checkpoints`` for the heads signed by the root key.

The rules are written out here, not imported, so that this migration keeps meaning what it did
when the service's rule moves on. Entries are read and rewritten in pages of 5,000: one pass over
the table.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
NEW_RULE = "opcert-ledger-entry/2"
PAGE = 5000

entries = sa.table(
    "ledger_entries",
    sa.column("seq", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("body", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
head = sa.table(
    "ledger_head", sa.column("id", sa.Integer()), sa.column("seq", sa.Integer()), sa.column("hash")
)


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoints")),
    )
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_checkpoints_seq"), ["seq"], unique=False)
    connection = op.get_bind()
    count, old_tip = _verify(connection, _old_hash, "the old rule (prev_hash + body)")
    if count == 0:
        return
    tip = _rehash(connection, _new_hash)
    _append_rehashed(connection, count + 1, tip, count, old_tip)


def downgrade() -> None:
    connection = op.get_bind()
    _verify(connection, _new_hash, f"the rule {NEW_RULE}")
    _rehash(connection, _old_hash)
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_checkpoints_seq"))
    op.drop_table("ledger_checkpoints")


def _old_hash(row: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + row["body"]).encode()).hexdigest()


def _new_hash(row: dict[str, Any], prev_hash: str) -> str:
    fields = [
        NEW_RULE,
        row["seq"],
        _utc(row["at"]).isoformat(timespec="microseconds"),
        row["actor"],
        row["kind"],
        row["subject"],
        row["body"],
        prev_hash,
    ]
    encoded = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def _utc(value: datetime) -> datetime:
    # SQLite hands back the naive UTC wall time it stored; PostgreSQL an aware instant.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _pages(connection: sa.Connection) -> Iterator[list[dict[str, Any]]]:
    last = 0
    while True:
        query = sa.select(entries).where(entries.c.seq > last).order_by(entries.c.seq).limit(PAGE)
        rows = [dict(row._mapping) for row in connection.execute(query)]
        if not rows:
            return
        yield rows
        last = rows[-1]["seq"]


def _verify(connection: sa.Connection, rule: Any, rule_name: str) -> tuple[int, str]:
    """Walk the chain under ``rule``; RuntimeError at the first fault. Returns (count, tip)."""
    expected, tip, count = 1, GENESIS_HASH, 0
    for rows in _pages(connection):
        for row in rows:
            seq = row["seq"]
            fault = None
            if seq != expected:
                fault = f"entry #{seq} where #{expected} was expected"
            elif _body_seq(row["body"]) != seq:
                fault = f"entry #{seq} carries another sequence number in its body"
            elif row["prev_hash"] != tip:
                fault = f"entry #{seq} does not link to the entry before it"
            elif rule(row, tip) != row["hash"]:
                fault = f"entry #{seq} does not match its hash"
            if fault:
                raise RuntimeError(_refusal(fault, rule_name))
            expected, tip, count = seq + 1, row["hash"], count + 1
    recorded = connection.execute(sa.select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    recorded_seq, recorded_hash = recorded if recorded else (0, GENESIS_HASH)
    if (recorded_seq, recorded_hash) != (count, tip):
        raise RuntimeError(
            _refusal(f"the head (#{recorded_seq}) is not the last entry (#{count})", rule_name)
        )
    return count, tip


def _body_seq(body: str) -> object:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed.get("seq") if isinstance(parsed, dict) else None


def _refusal(fault: str, rule_name: str) -> str:
    return (
        "账本哈希链已损坏，迁移 0009 不重新计算哈希，以免掩盖篡改；请先用备份核对 "
        f"/ the ledger chain is broken under {rule_name} ({fault}): migration 0009 will not "
        "re-hash a tampered chain; compare it with a backup first (docs/security/ledger-privacy.md)"
    )


def _rehash(connection: sa.Connection, rule: Any) -> str:
    tip = GENESIS_HASH
    update = (
        sa.update(entries)
        .where(entries.c.seq == sa.bindparam("b_seq"))
        .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash"))
    )
    for rows in _pages(connection):
        changes = []
        for row in rows:
            digest = rule(row, tip)
            changes.append({"b_seq": row["seq"], "b_prev": tip, "b_hash": digest})
            tip = digest
        connection.execute(update, changes)
    connection.execute(sa.update(head).where(head.c.id == 1).values(hash=tip))
    return tip


def _append_rehashed(
    connection: sa.Connection, seq: int, tip: str, old_count: int, old_tip: str
) -> None:
    at = datetime.now(UTC).replace(microsecond=0)
    data = {"rule": NEW_RULE, "previous_head": {"seq": old_count, "hash": old_tip}}
    row = {
        "seq": seq,
        "at": at,
        "actor": "migration:0009",
        "kind": "ledger.rehashed",
        "subject": "ledger",
    }
    row["body"] = json.dumps(
        {**row, "at": at.isoformat(), "data": data},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    row["prev_hash"] = tip
    row["hash"] = _new_hash(row, tip)
    stored = dict(row)
    if connection.dialect.name == "sqlite":
        stored["at"] = at.replace(tzinfo=None)  # stored as UTC wall time, as UtcDateTime does
    connection.execute(sa.insert(entries), [stored])
    connection.execute(sa.update(head).where(head.c.id == 1).values(seq=seq, hash=row["hash"]))
