"""Certificates, their signed credential versions, status lists and revocation bans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from opcert.domain.rules import SWITCH_DATE
from opcert.persistence.models.base import Base, UtcDateTime

# A review can only be missed if it fell due before Order 19 took effect (lapse_cutoff).
LAPSE_CANDIDATES = f"review_due_on < '{SWITCH_DATE.isoformat()}' AND state = 'active'"


class Certificate(Base):
    """A certificate: one per person and operation item. Its credential versions hang below it."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index("ux_certificates_number_item_code", "number", "item_code", unique=True),
        # The only certificates a missed review can still lapse (migration 0006).
        Index(
            "ix_certificates_lapse_candidates",
            "current_version_id",
            sqlite_where=text(LAPSE_CANDIDATES),
            postgresql_where=text(LAPSE_CANDIDATES),
        ),
        # An officer's search by the start of a name (migration 0013): a pattern operator class
        # on PostgreSQL so LIKE '李%' uses it under any collation; SQLite searches by range.
        Index(
            "ix_certificates_name_prefix",
            "name",
            postgresql_ops={"name": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    typ: Mapped[str] = mapped_column(String(4))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[int] = mapped_column(Integer)
    category_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    item_code: Mapped[str] = mapped_column(String(8))
    item_name: Mapped[str] = mapped_column(String(100))
    catalogue_version: Mapped[str] = mapped_column(String(16))
    rule_set: Mapped[str] = mapped_column(String(16))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"))
    first_issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    reviewed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # active | revoked | cancelled | suspended
    state_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    application_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CredentialVersion(Base):
    """One signed SC1 credential of a certificate, with its status list entry."""

    __tablename__ = "credential_versions"
    __table_args__ = (
        Index("ux_credential_versions_cti", "cti", unique=True),
        Index("ux_credential_versions_list_id_list_index", "list_id", "list_index", unique=True),
        # Covering: a list's entries are read from the index alone (migration 0006).
        Index(
            "ix_credential_versions_list_entries",
            "list_id",
            "status_value",
            "list_index",
            "certificate_id",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    cti: Mapped[str] = mapped_column(String(32))
    kid: Mapped[str] = mapped_column(String(16), index=True)
    issuer: Mapped[str] = mapped_column(String(16))
    iat: Mapped[int] = mapped_column(Integer)
    sc1: Mapped[str] = mapped_column(Text)
    list_id: Mapped[str] = mapped_column(String(32))
    list_index: Mapped[int] = mapped_column(Integer)
    status_value: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatusListRow(Base):
    """A status list's bookkeeping; ``revision`` changes with every entry so caches know to rebuild."""

    __tablename__ = "status_lists"

    list_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(16), index=True)
    entries: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatusListBitsRow(Base):
    """A status list's built entries as they stood at ``revision`` on and after ``lapse_cutoff``
    (decision 0011): the packed 2-bit entries, compressed. Only valid while both still
    match the list's revision and today's cutoff; anything else is rebuilt, never served.
    ``bits`` is ``StatusBits.encode()``: base64url of the GZIP-compressed bitstring."""

    __tablename__ = "status_list_bits"

    list_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("status_lists.list_id"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    lapse_cutoff: Mapped[date] = mapped_column(Date)
    bits: Mapped[str] = mapped_column(Text)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Ban(Base):
    """A bar on new certificates after revocation for false information or deception (3 years)."""

    __tablename__ = "bans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    until_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    certificate_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
