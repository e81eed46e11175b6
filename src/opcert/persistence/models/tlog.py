"""The transparency log of issuance (spec section 8, decision 0010).

``log_entries`` holds every logged credential version in log order: its COSE_Sign1 bytes (the
leaf data), the leaf hash, its ``cti`` and the application it was issued on. ``log_tiles`` holds
the C2SP tiles (256 hashes of one tree level each, partial at the right edge), so a tree head or
a proof reads a few rows; ``log_head`` the size, locked by every append; ``log_checkpoints`` the
signed tree heads, one per size that was asked for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class LogEntry(Base):
    __tablename__ = "log_entries"
    __table_args__ = (Index("ux_log_entries_cti", "cti", unique=True),)

    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cti: Mapped[str] = mapped_column(String(32))
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    application_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LogTile(Base):
    __tablename__ = "log_tiles"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)


class LogHead(Base):
    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)


class LogCheckpoint(Base):
    __tablename__ = "log_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, index=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text)
