"""Data sharing (issue 17): the event outbox, subscribers and their sharing list, the rosters of
employers, deliveries to each subscriber, and the outcomes subscribers feed back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class SharingEvent(Base):
    """One event in the outbox, written in the transaction of the act it tells of. ``id`` is the
    pull feed's cursor: ids are drawn while the ledger head is locked, so they commit in order.
    ``data`` is the full snapshot; each subscriber receives only its granted fields of it."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # CloudEvents id, webhook-id
    type: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str] = mapped_column(String(64))  # certificate number or application id
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id"), nullable=True, index=True
    )
    application_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    region: Mapped[str] = mapped_column(String(6))  # the issuing authority's division
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    item_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)


class Subscriber(Base):
    """A data-sharing subscriber and its line of the sharing list (数据共享清单)."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    signing: Mapped[str] = mapped_column(String(8))  # hmac | ed25519
    secret_box: Mapped[str | None] = mapped_column(Text, nullable=True)  # AES-GCM sealed whsec_
    key_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the subscriber's API key
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)  # an employer
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RosterWorker(Base):
    """A worker on an employer subscriber's roster: it receives events for these workers only.
    ``item_code`` empty means every item of the worker."""

    __tablename__ = "subscriber_workers"
    __table_args__ = (UniqueConstraint("subscriber_id", "id_number", "item_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    item_code: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Delivery(Base):
    """One event to one subscriber. ``state``: ``pending`` -> ``delivered`` | ``dead`` (after 24 h
    of failures, or the subscriber disabled). A claim is a lease: ``lease_until`` in the future
    means a dispatcher holds it; past, any dispatcher may take it again (at least once)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscriber_id"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_subject", "subscriber_id", "subject", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    subject: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Feedback(Base):
    """An outcome a subscriber fed back about a certificate (and, when given, an event)."""

    __tablename__ = "event_feedback"
    __table_args__ = (UniqueConstraint("subscriber_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    ref: Mapped[str] = mapped_column(String(64))  # the subscriber's own id: idempotency
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))  # enforcement | removed_from_duty | receipt
    occurred_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
