"""A certificate's life after issue: reviews, recorded acts, cancellations, legacy cards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class ReviewRow(Base):
    """One review (复审) application for the due date ``due_on`` and its decision.

    ``status``: ``pending`` (filed in its window, awaiting a decision), ``passed``, ``retrain``
    (failed on a ground of Art. 25(2)-(5): re-train and apply again), ``failed`` (lapsed).
    """

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_certificate_id_status", "certificate_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    due_on: Mapped[date] = mapped_column(Date)
    applied_on: Mapped[date] = mapped_column(Date)
    applicant: Mapped[str] = mapped_column(String(16))  # holder | employer
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"))
    training_hours: Mapped[float] = mapped_column(Float)
    training_institution: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    fail_ground: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decision_due_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CertificateEvent(Base):
    """A recorded fact of a certificate's life: extended review granted, return to work, practical
    exam retaken, suspension, reinstatement, correction, replacement, renewal."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Cancellation(Base):
    """A cancellation (注销), announced in the public list (Order 30 Art. 29)."""

    __tablename__ = "cancellations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    ground: Mapped[str] = mapped_column(String(16))  # death | request | revoked
    cancelled_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LegacyCard(Base):
    """A card-era (PVC/IC) certificate imported as a record; converted at its next review or
    renewal, when ``converted_at`` is set and the certificate gets its first credential."""

    __tablename__ = "legacy_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    card_number: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RenewalApplication(Base):
    """A holder's application for renewal (换证; Order 30 延期复审), filed in its window from
    我的证书 and waiting in the authority's queue. ``status``: ``pending``, ``renewed`` (an
    officer renewed the certificate), ``refused`` (with a reason)."""

    __tablename__ = "renewal_applications"
    __table_args__ = (
        Index("ix_renewal_applications_authority_status", "authority_code", "status"),
        Index("ix_renewal_applications_certificate_status", "certificate_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"))
    applied_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # the window's last day
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
