"""Reminder letters (提醒函, issue 16): a letter to one province about the exam-data signals of
one month, a snapshot of each signal it names, and the province's replies to each.

Not the certificate-expiry reminders of ``models.reminders``. The signals are copied into the
letter, not referenced: a later analysis run over the same span replaces its signals
(``analytics_runs``), and a letter must keep saying what it said when it was sent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class ReminderLetter(Base):
    """One letter; ``number`` is 应急考提〔YYYY〕第 NNNN 号, ``serial`` counting per year of issue.
    A revision (the signals of the province's month changed) is a new letter that names the one
    it supersedes."""

    __tablename__ = "reminder_letters"
    __table_args__ = (
        UniqueConstraint("year", "serial"),
        UniqueConstraint("province", "period", "revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    province: Mapped[str] = mapped_column(String(6), index=True)
    period: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminder_letters.id"), nullable=True
    )
    run_id: Mapped[int] = mapped_column(Integer)  # the run may later be replaced: no key
    signals_digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(80))
    reply_due_on: Mapped[date] = mapped_column(Date)
    reply_due_provisional: Mapped[bool] = mapped_column(Boolean)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))


class ReminderLetterSignal(Base):
    """A signal as the letter states it (a copy of ``analytics_signals`` at issue)."""

    __tablename__ = "reminder_letter_signals"
    __table_args__ = (UniqueConstraint("letter_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("reminder_letters.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... as numbered in the letter
    signal_id: Mapped[int] = mapped_column(Integer)
    unit_type: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    statistic: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    q_value: Mapped[float] = mapped_column(Float)
    effect: Mapped[float] = mapped_column(Float)
    observed: Mapped[float] = mapped_column(Float)
    reference: Mapped[float] = mapped_column(Float)
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)


class ReminderLetterReply(Base):
    """A province's answer about one signal of a letter; later answers add, never overwrite."""

    __tablename__ = "reminder_letter_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("reminder_letter_signals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # rectified | explained | no_issue
    text: Mapped[str] = mapped_column(Text)
    officer: Mapped[str] = mapped_column(String(80))
    replied_at: Mapped[datetime] = mapped_column(UtcDateTime)
