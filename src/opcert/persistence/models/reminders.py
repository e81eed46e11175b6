"""Reminders: holder contacts, employers who registered workers, and the outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class HolderContact(Base):
    """How to reach a holder (the phone of ``persons`` is the exam-time phone; this one wins)."""

    __tablename__ = "holder_contacts"

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Registration(Base):
    """An employer registered a worker: it gets the worker's review and expiry reminders."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("employer_id", "id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReminderRow(Base):
    """One message in the outbox. The unique key makes a reminder exist once; ``status`` moves
    ``pending`` -> ``claimed`` -> ``sent``; ``key`` is passed to the provider as idempotency key."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("certificate_id", "kind", "due_on", "days_before", "channel", "recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    kind: Mapped[str] = mapped_column(String(16))  # review | expiry
    due_on: Mapped[date] = mapped_column(Date)
    days_before: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
