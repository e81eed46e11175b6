"""Bulk writes and counts for the synthetic national data set (``opcert synth``)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text

from opcert.persistence.models import Base, SyntheticAnomaly
from opcert.persistence.repositories.bulk import bulk_insert, reserve_ids

# Pages of WAL between checkpoints while synth loads SQLite: 1 GiB of 4 KiB pages.
BULK_CHECKPOINT_PAGES = 262_144
# The tables a national load fills; their secondary indexes are built after the rows.
BULK_TABLES = ("persons", "exam_results", "certificates", "credential_versions")


class SynthRepository:
    """Tables are named, not modelled, so the generator stays free of SQLAlchemy."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def insert(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows (all with the same keys) in one executemany, or COPY on PostgreSQL."""
        bulk_insert(self.session, Base.metadata.tables[table], rows)

    def reserve_ids(self, table: str, count: int) -> list[int]:
        """Ids for ``count`` new rows of ``table`` (see ``bulk.reserve_ids``)."""
        return reserve_ids(self.session, Base.metadata.tables[table], count)

    def ids_follow_max(self) -> bool:
        """True where new ids continue after ``max(id)`` (SQLite), not from a sequence."""
        return bool(self.session.get_bind().dialect.name == "sqlite")

    def prepare_bulk(self) -> None:
        """On SQLite, settings for this connection while it loads:

        - a page cache of a quarter of the machine's memory (at most 8 GiB): the randomly keyed
          indexes of a national load (ID numbers, certificate numbers, ``cti``) reach about
          6.5 GB at scale 1, far beyond the default 2 MB, and every insert would otherwise
          re-read their pages. SQLite takes the pages only as it uses them;
        - a checkpoint per GiB of WAL instead of per 4 MB: each chunk dirties ~80,000 index
          pages at random places, and a checkpoint after every commit wrote them all again and
          waited for the disk (fsync). Several chunks now share a checkpoint, and a page
          dirtied by each is written to the database file once. Nothing is less durable: the
          WAL is written and committed as before. (``synchronous`` cannot change inside the
          unit of work's transaction, so it stays NORMAL.)"""
        if self.ids_follow_max():
            self.session.execute(text(f"PRAGMA cache_size = -{_bulk_cache_kib()}"))
            self.session.execute(text(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}"))

    def drop_secondary_indexes(self) -> list[str]:
        """Drop every index of the bulk tables except primary keys; return the statements that
        build them again, exactly as the database holds them (``build_indexes``).

        Inserting 100 million rows one by one into indexes keyed by ID numbers, certificate
        numbers and random ``cti`` puts each key at a random place in a B-tree far larger than
        memory: every key dirties a page, written twice (decision 0007). Built after the load,
        an index is one sort of its keys, written once and compact."""
        if self.ids_follow_max():
            found = self.session.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    "AND tbl_name IN (SELECT value FROM json_each(:tables)) ORDER BY name"
                ),
                {"tables": json.dumps(BULK_TABLES)},
            ).all()
        else:
            found = self.session.execute(
                text(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid "
                    "WHERE t.relnamespace = current_schema()::regnamespace "
                    "AND t.relname = ANY(:tables) AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                    "ORDER BY i.relname"
                ),
                {"tables": list(BULK_TABLES)},
            ).all()
        for name, _ in found:
            self.session.execute(text(f'DROP INDEX "{name}"'))
        return [str(statement) for _, statement in found]

    def build_indexes(self, statements: Sequence[str]) -> None:
        """Build indexes from ``drop_secondary_indexes``; one that exists already is kept."""
        if self.ids_follow_max():
            # Sort with a helper thread per spare core (SQLite's own, for CREATE INDEX).
            self.session.execute(text(f"PRAGMA threads = {max(0, (os.cpu_count() or 1) - 1)}"))
        else:
            self.session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        for statement in statements:
            self.session.execute(text(_if_not_exists(statement)))

    def analyse(self) -> None:
        """Fresh planner statistics for the loaded tables, so the first queries after a load
        get the plans they will have in production (autovacuum would come to it later)."""
        if self.ids_follow_max():
            self.session.execute(text("PRAGMA analysis_limit = 1000"))  # sampled: minutes -> s
            self.session.execute(text("ANALYZE"))
        else:
            self.session.execute(text(f"ANALYZE {', '.join(BULK_TABLES)}"))

    def vacuum(self) -> None:
        """On PostgreSQL, ``VACUUM`` the loaded tables on a connection of its own (it cannot run
        in a transaction): it sets the visibility map, without which reading a status list's
        entries visits the table instead of only the covering index (at scale 0.3 the server
        took 195 s instead of 77 s to build its lists after the load). On SQLite, a checkpoint
        that empties the WAL the load left (up to 1 GiB, ``prepare_bulk``) into the database."""
        if self.ids_follow_max():
            self.session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with self.session.get_bind().connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(BULK_TABLES)}")

    def row_count(self, table: str) -> int:
        """Exact number of rows in ``table``."""
        table_ = Base.metadata.tables[table]
        return int(self.session.scalar(select(func.count()).select_from(table_)) or 0)

    def is_empty(self, table: str) -> bool:
        """True when ``table`` holds no row (one indexed probe, not a count)."""
        table_ = Base.metadata.tables[table]
        return self.session.execute(select(1).select_from(table_).limit(1)).first() is None

    def anomalies(self) -> list[dict[str, Any]]:
        """Every injected anomaly label, ordered by id."""
        rows = self.session.scalars(select(SyntheticAnomaly).order_by(SyntheticAnomaly.id))
        return [
            {"kind": r.kind, "subject": r.subject, "year": r.year, "detail": r.detail} for r in rows
        ]


def _if_not_exists(statement: str) -> str:
    for prefix in ("CREATE UNIQUE INDEX ", "CREATE INDEX "):
        if statement.startswith(prefix):
            return f"{prefix}IF NOT EXISTS {statement[len(prefix) :]}"
    raise ValueError(f"not an index definition: {statement[:80]}")


def _bulk_cache_kib() -> int:
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        memory = 4 << 30
    return max(256 << 10, min(8 << 20, memory // 4 // 1024))
