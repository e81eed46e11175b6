"""From exam result to application: persons, exam results and the applications filed for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class Person(Base):
    __tablename__ = "persons"
    # Unique indexes, not table constraints, on the tables a national load fills (migration
    # 0007): a bulk load drops and rebuilds them, which SQLite cannot do with a constraint.
    __table_args__ = (Index("ux_persons_id_number", "id_number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[int] = mapped_column(Integer)
    birth_on: Mapped[date] = mapped_column(Date)
    division: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExamResult(Base):
    """One exam result as an institution sent it. ``(institution_id, ref)`` is the idempotency key."""

    __tablename__ = "exam_results"
    __table_args__ = (
        Index("ux_exam_results_institution_id_ref", "institution_id", "ref", unique=True),
        # a person's results in an item, in order: the analysis asks of each exam whether an
        # earlier one exists, from the index alone (migration 0019)
        Index(
            "ix_exam_results_id_number_item_code_exam_on", "id_number", "item_code", "exam_on", "id"
        ),
        # The exam-data analysis reads a span of exam dates and sums these columns by exam
        # point, item and month: from this index alone, one range scan in date order, never the
        # wide rows (migration 0021, docs/performance.md).
        Index(
            "ix_exam_results_analytics",
            "exam_on",
            "exam_point_id",
            "item_code",
            "passed",
            "theory_score",
            "practical_score",
            "first_attempt",
            "home_division",
            "person_id",
            "phone",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    ref: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    item_code: Mapped[str] = mapped_column(String(8))
    catalogue_version: Mapped[str] = mapped_column(String(16))
    theory_score: Mapped[float] = mapped_column(Float)
    practical_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    exam_on: Mapped[date] = mapped_column(Date)
    exam_point_id: Mapped[int] = mapped_column(ForeignKey("exam_points.id"), index=True)
    training_institution: Mapped[str | None] = mapped_column(String(40), nullable=True)
    education: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rule_set: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    application_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Facts of the exam as filed, for the analysis (migration 0021): whether it is the person's
    # earliest exam in the item (by exam date, then id: a result filed late for an earlier date
    # takes the mark over, ``ExamResultRepository.mark_first_attempts``), and the holder's
    # division when it was filed (the home the far-from-home test compares with the exam point).
    first_attempt: Mapped[bool] = mapped_column(Boolean, server_default=false())
    home_division: Mapped[str | None] = mapped_column(String(6), nullable=True)


class Application(Base):
    """An application for a certificate, filed by the exam institution on the candidate's behalf."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_status_region", "status", "region"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("exam_results.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    typ: Mapped[str] = mapped_column(String(4), default="SO")
    item_code: Mapped[str] = mapped_column(String(8))
    item_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    catalogue_version: Mapped[str] = mapped_column(String(16))
    rule_set: Mapped[str] = mapped_column(String(16))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"))
    region: Mapped[str] = mapped_column(String(6))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    exam_point_id: Mapped[int] = mapped_column(ForeignKey("exam_points.id"))
    status: Mapped[str] = mapped_column(String(16))
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    review_reasons: Mapped[list[str]] = mapped_column(JSON)
    commitment: Mapped[dict[str, Any]] = mapped_column(JSON)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    target_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    certificate_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
