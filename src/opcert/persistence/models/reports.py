"""What the public and holders send to officers: clues about suspected fake certificates, and
requests for a manual identity review when the live face check fails."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class Clue(Base):
    """A report of a suspected fake certificate (假证线索), filed from the not-found page."""

    __tablename__ = "clues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    # division of the responsible authority (services.clues._region); None: national officers
    region: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    where_seen: Mapped[str | None] = mapped_column(String(300), nullable=True)
    details: Mapped[str] = mapped_column(String(2000))
    contact: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # open | handled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IdentityReview(Base):
    """A holder's request for manual identity review (人工审核), in one authority's queue."""

    __tablename__ = "identity_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"), index=True)
    photo_type: Mapped[str] = mapped_column(String(40))
    photo: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected
    decision_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
