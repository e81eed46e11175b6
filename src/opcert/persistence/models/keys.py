"""Signing keys: the national root and each issuing authority's keys. Private parts live elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class SigningKeyRow(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)  # base64url of 8 bytes
    issuer: Mapped[str] = mapped_column(String(16), index=True)  # "CN" for the root
    alg: Mapped[str] = mapped_column(String(8))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    key_ref: Mapped[str] = mapped_column(String(300))  # file name under keys/ or a pkcs11: URI
    status: Mapped[str] = mapped_column(String(16))
    nbf_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
