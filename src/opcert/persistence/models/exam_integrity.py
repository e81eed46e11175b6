"""Exam-data integrity (issue 16): the exam-point register and issuance held on strong signals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class ExamPointAccreditation(Base):
    """An exam point's accreditation (考点认定) for one item, or for every item (``item_code``
    None), from a day to a day (None: open). What the accrediting authority attested is kept:
    a standardised exam point (标准化考点), real equipment for the practical exam (实物设备,
    required for 焊接与热切割作业), examination kept apart from training (考培分离)."""

    __tablename__ = "exam_point_accreditations"
    __table_args__ = (Index("ix_exam_point_accreditations_point", "exam_point_id", "item_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_point_id: Mapped[int] = mapped_column(ForeignKey("exam_points.id"))
    item_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    standardised: Mapped[bool] = mapped_column(Boolean)
    real_equipment: Mapped[bool] = mapped_column(Boolean)
    training_separated: Mapped[bool] = mapped_column(Boolean)
    accredited_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    accredited_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExamDataHold(Base):
    """An exam point or institution whose new results are not auto-approved, from the analytics
    run that found a strong signal on it until an officer releases it with a reason.

    ``grounds`` are the strong signals behind it, one per (kind, period): ``{"signal", "run",
    "kind", "period", "q_value", "effect", "explanation_zh", "explanation_en"}``; a later run
    over the same span points them at its own signal ids."""

    __tablename__ = "exam_data_holds"
    __table_args__ = (Index("ix_exam_data_holds_unit", "unit_type", "unit", "released_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_type: Mapped[str] = mapped_column(String(16))  # exam_point | institution
    unit: Mapped[str] = mapped_column(String(40))
    unit_name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(6), index=True)  # the unit's division: scope
    grounds: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    held_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
