"""The transparency log of issuance: entries, tiles, head and signed checkpoints

Every credential version already stored is logged, in ``credential_versions.id`` order, with
its certificate's application id, so that the log covers the platform's whole issuance from the
start (``opcert log audit`` would otherwise report every earlier certificate as not logged).
The RFC 6962 hashing and the C2SP tile layout come from ``opcert.credential.tlog*``: both are
fixed by published specifications, not by this platform, so importing them keeps this
migration's meaning. Pages of 5,000 rows: one pass over the table.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from opcert.credential.errors import MalformedCredential
from opcert.credential.tlog import leaf_data_of
from opcert.credential.tlog_merkle import leaf_hash
from opcert.credential.tlog_tiles import extend_tiles

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5000


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cti", sa.String(length=32), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_log_entries")),
    )
    op.create_index("ux_log_entries_cti", "log_entries", ["cti"], unique=True)
    op.create_table(
        "log_tiles",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_log_tiles")),
    )
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoints")),
    )
    op.create_index(op.f("ix_log_checkpoints_size"), "log_checkpoints", ["size"], unique=False)
    _log_existing_credentials()


def _log_existing_credentials() -> None:
    bind = op.get_bind()
    entries = sa.table(
        "log_entries",
        sa.column("idx", sa.Integer),
        sa.column("cti", sa.String),
        sa.column("leaf_hash", sa.LargeBinary),
        sa.column("entry", sa.LargeBinary),
        sa.column("application_id", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    tiles: dict[tuple[int, int], bytes] = {}
    size, last_id = 0, 0
    page_query = sa.text(
        "SELECT v.id, v.cti, v.sc1, c.application_id FROM credential_versions v "
        "LEFT JOIN certificates c ON c.id = v.certificate_id WHERE v.id > :after "
        "ORDER BY v.id LIMIT :page"
    )
    now = datetime.now(UTC)
    while True:
        page = bind.execute(page_query, {"after": last_id, "page": PAGE}).all()
        if not page:
            break
        last_id = page[-1].id
        logged = [(row, data) for row in page if (data := _leaf_data(row.sc1)) is not None]
        if not logged:
            continue
        hashes = [leaf_hash(data) for _, data in logged]
        edge = {key[0]: tiles[key] for key in _edge(size) if key in tiles}
        tiles.update(extend_tiles(size, edge, hashes))
        bind.execute(
            entries.insert(),
            [
                {"idx": size + i, "cti": row.cti, "leaf_hash": h, "entry": data,
                 "application_id": row.application_id, "created_at": now}
                for i, ((row, data), h) in enumerate(zip(logged, hashes, strict=True))
            ],
        )  # fmt: skip
        size += len(logged)
        # Only the right edge can still change: keep it, write the rest once.
        _flush_full(bind, tiles, keep=set(_edge(size)))
    _flush_full(bind, tiles, keep=set())
    bind.execute(sa.text("INSERT INTO log_head (id, size) VALUES (1, :size)"), {"size": size})


def _leaf_data(sc1: str) -> bytes | None:
    """The COSE_Sign1 bytes; None for a stored text that does not unwrap: it is no credential,
    stays out of the log, and ``opcert log audit`` reports its certificate."""
    try:
        return leaf_data_of(sc1)
    except MalformedCredential:
        return None


def _edge(size: int) -> list[tuple[int, int]]:
    keys, level, count = [], 0, size
    while count:
        index, used = divmod(count, 256)
        if used:
            keys.append((level, index))
        level, count = level + 1, count >> 8
    return keys


def _flush_full(
    bind: sa.Connection, tiles: dict[tuple[int, int], bytes], keep: set[tuple[int, int]]
) -> None:
    done = [key for key in tiles if key not in keep]
    if done:
        bind.execute(
            sa.text("INSERT INTO log_tiles (level, idx, hashes) VALUES (:level, :idx, :hashes)"),
            [{"level": k[0], "idx": k[1], "hashes": tiles.pop(k)} for k in done],
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_log_checkpoints_size"), table_name="log_checkpoints")
    op.drop_table("log_checkpoints")
    op.drop_table("log_head")
    op.drop_table("log_tiles")
    op.drop_index("ux_log_entries_cti", table_name="log_entries")
    op.drop_table("log_entries")
