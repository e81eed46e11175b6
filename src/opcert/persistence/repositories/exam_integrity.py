"""The exam-point register and exam-data holds (issue 16)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select

from opcert.persistence.models import (
    AnalyticsSignal,
    ExamDataHold,
    ExamPoint,
    ExamPointAccreditation,
    Institution,
)


class AccreditationRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def add(self, rows: Sequence[ExamPointAccreditation]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def of_points(self, point_ids: Iterable[int]) -> dict[int, list[ExamPointAccreditation]]:
        """Every accreditation of each point, oldest record first."""
        found: dict[int, list[ExamPointAccreditation]] = defaultdict(list)
        ids = list(set(point_ids))
        if not ids:
            return found
        query = (
            select(ExamPointAccreditation)
            .where(ExamPointAccreditation.exam_point_id.in_(ids))
            .order_by(ExamPointAccreditation.id)
        )
        for row in self.session.scalars(query):
            found[row.exam_point_id].append(row)
        return found

    def open_for(self, point_id: int, items: Sequence[str | None]) -> list[ExamPointAccreditation]:
        """The point's accreditations of these items (None: the every-item record) with no end
        date, locked for an update."""
        conditions = [ExamPointAccreditation.item_code.is_(None)] if None in items else []
        listed = [item for item in items if item is not None]
        if listed:
            conditions.append(ExamPointAccreditation.item_code.in_(listed))
        query = (
            select(ExamPointAccreditation)
            .where(
                ExamPointAccreditation.exam_point_id == point_id,
                ExamPointAccreditation.accredited_to.is_(None),
                or_(*conditions),
            )
            .with_for_update()
        )
        return list(self.session.scalars(query))


class HoldRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def add(self, row: ExamDataHold) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, hold_id: int, *, lock: bool = False) -> ExamDataHold | None:
        query = select(ExamDataHold).where(ExamDataHold.id == hold_id)
        found: ExamDataHold | None = self.session.scalar(query.with_for_update() if lock else query)
        return found

    def of_units(self, units: Iterable[tuple[str, str]]) -> list[ExamDataHold]:
        """Every hold, active or released, of these (unit_type, unit) pairs, oldest first."""
        pairs = list(set(units))
        if not pairs:
            return []
        codes = {unit for _, unit in pairs}
        query = (
            select(ExamDataHold)
            .where(ExamDataHold.unit.in_(codes))
            .order_by(ExamDataHold.id)
            .with_for_update()
        )
        return [h for h in self.session.scalars(query) if (h.unit_type, h.unit) in pairs]

    def active_for(self, points: Iterable[str], institutions: Iterable[str]) -> list[ExamDataHold]:
        """The holds in force on these exam points and institutions (by code)."""
        points, institutions = list(set(points)), list(set(institutions))
        if not points and not institutions:
            return []
        query = select(ExamDataHold).where(
            ExamDataHold.released_at.is_(None),
            or_(
                (ExamDataHold.unit_type == "exam_point") & ExamDataHold.unit.in_(points),
                (ExamDataHold.unit_type == "institution") & ExamDataHold.unit.in_(institutions),
            ),
        )
        return list(self.session.scalars(query.order_by(ExamDataHold.id)))

    def in_region(
        self, prefix: str, *, active: bool, limit: int, offset: int = 0
    ) -> list[ExamDataHold]:
        """Holds whose unit lies in the division ``prefix`` (empty: all), newest first; the active
        ones, or the released ones."""
        released = ExamDataHold.released_at
        query = select(ExamDataHold).where(released.is_(None) if active else released.is_not(None))
        if prefix:
            query = query.where(ExamDataHold.region.startswith(prefix, autoescape=True))
        order = (ExamDataHold.held_at.desc(), ExamDataHold.id.desc())
        return list(self.session.scalars(query.order_by(*order).limit(limit).offset(offset)))

    def signals(self, ids: Iterable[int]) -> list[AnalyticsSignal]:
        wanted = list(set(ids))
        if not wanted:
            return []
        return list(
            self.session.scalars(select(AnalyticsSignal).where(AnalyticsSignal.id.in_(wanted)))
        )

    def run_signals(self, run_id: int, unit_types: Sequence[str]) -> list[AnalyticsSignal]:
        query = select(AnalyticsSignal).where(
            AnalyticsSignal.run_id == run_id, AnalyticsSignal.unit_type.in_(list(unit_types))
        )
        return list(self.session.scalars(query.order_by(AnalyticsSignal.id)))

    def units(
        self, points: Iterable[str], institutions: Iterable[str]
    ) -> dict[tuple[str, str], tuple[str, str]]:
        """(unit_type, code) -> (name, region) for the exam points and institutions named."""
        found: dict[tuple[str, str], tuple[str, str]] = {}
        wanted_points, wanted_institutions = list(set(points)), list(set(institutions))
        if wanted_points:
            rows = self.session.execute(
                select(ExamPoint.code, ExamPoint.name, ExamPoint.region).where(
                    ExamPoint.code.in_(wanted_points)
                )
            )
            found.update({("exam_point", c): (n, r) for c, n, r in rows})
        if wanted_institutions:
            rows = self.session.execute(
                select(Institution.code, Institution.name, Institution.region).where(
                    Institution.code.in_(wanted_institutions)
                )
            )
            found.update({("institution", c): (n, r) for c, n, r in rows})
        return found
