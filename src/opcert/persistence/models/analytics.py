"""The exam-data analysis (issue 16): each run and the signals it found."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class AnalyticsRun(Base):
    """One run over a span of months. A later run over the same span replaces it."""

    __tablename__ = "analytics_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    fdr: Mapped[float] = mapped_column(Float)
    tests: Mapped[int] = mapped_column(Integer)
    untested: Mapped[dict[str, Any]] = mapped_column(JSON)  # kind -> units below the minimum
    provisional: Mapped[list[str]] = mapped_column(JSON)  # months not closed at the run
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AnalyticsSignal(Base):
    """A test whose q-value is under the run's false-discovery level."""

    __tablename__ = "analytics_signals"
    __table_args__ = (Index("ix_analytics_signals_unit", "unit_type", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analytics_runs.id"), index=True)
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
    provisional: Mapped[bool] = mapped_column(Boolean)
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
