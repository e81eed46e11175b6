"""Ground truth of the synthetic national data set: the anomalies ``opcert synth`` injected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from opcert.persistence.models.base import Base, UtcDateTime


class SyntheticAnomaly(Base):
    """One injected anomaly, kept apart from the data so analytics can be scored against it.

    ``kind``: ``pass_rate_jump`` (subject: 2-digit province, ``year`` of the jump),
    ``score_bunching`` and ``volume_spike`` (subject: exam point code), ``far_travel``
    (subject: the candidate's ID number). ``detail`` holds the injected parameters.
    """

    __tablename__ = "synth_anomalies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
