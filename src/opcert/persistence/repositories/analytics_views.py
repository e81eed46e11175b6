"""What the analytics pages and API read (issue 16, decision 0026): a run's signals within an
officer's division, one unit's months, and theory scores by integer score for a unit and its
peers. Each query filters by the unit in the database, so a page never sums the nation's rows.

A unit's region (what an officer's scope is checked against) is the division itself for a
province or a city, the institution's registered division for an institution, and the exam
point's division for an exam point; province and city figures are summed over the exam points
lying in them, as the run's ``unit_of`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from opcert.persistence.models import (
    AnalyticsRun,
    AnalyticsSignal,
    ExamPoint,
    ExamResult,
    Institution,
)
from opcert.persistence.repositories.analytics import month_of

DIVISION_LEVELS = ("province", "city")


@dataclass(frozen=True)
class SignalQuery:
    """Filters of one page of signals; an empty ``scope`` is the whole nation."""

    run_id: int
    scope: str  # the officer's division prefix: "" national, "44" a province, "4404" a city
    unit_type: str | None = None
    kind: str | None = None
    period: str | None = None
    province: str | None = None  # two digits
    q_max: float | None = None
    unit: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class UnitMonth:
    month: str
    sat: int
    passed: int


def _unit_region() -> Any:
    """The region of a signal's unit (the outer joins give None for an unregistered code)."""
    return case(
        (AnalyticsSignal.unit_type.in_(DIVISION_LEVELS), AnalyticsSignal.unit),
        (AnalyticsSignal.unit_type == "institution", Institution.region),
        else_=ExamPoint.region,
    )


def _results_of(unit_type: str, unit: str) -> Any:
    """The condition that an exam result (joined to its exam point and institution) is the
    unit's."""
    if unit_type == "province":
        return func.substr(ExamPoint.region, 1, 2) == unit[:2]
    if unit_type == "city":
        return func.substr(ExamPoint.region, 1, 4) == unit[:4]
    if unit_type == "institution":
        return Institution.code == unit
    return ExamPoint.code == unit


def _within(column: Any, prefix: str) -> Any:
    return func.substr(column, 1, len(prefix)) == prefix if prefix else literal(True)


class AnalyticsViewRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def run(self, run_id: int | None) -> AnalyticsRun | None:
        """The run ``run_id``, or the latest when None."""
        query = select(AnalyticsRun)
        if run_id is not None:
            query = query.where(AnalyticsRun.id == run_id)
        found: AnalyticsRun | None = self.session.scalars(
            query.order_by(AnalyticsRun.id.desc()).limit(1)
        ).first()
        return found

    def signals(self, q: SignalQuery) -> tuple[list[tuple[AnalyticsSignal, str | None]], int]:
        """One page of the run's signals in scope, strongest first, each with its unit's
        region; and how many there are in all."""
        region = _unit_region().label("region")
        conditions = [AnalyticsSignal.run_id == q.run_id, _within(region, q.scope)]
        for column, value in (
            (AnalyticsSignal.unit_type, q.unit_type),
            (AnalyticsSignal.kind, q.kind),
            (AnalyticsSignal.period, q.period),
            (AnalyticsSignal.unit, q.unit),
        ):
            if value is not None:
                conditions.append(column == value)
        if q.province is not None:
            conditions.append(_within(region, q.province))
        if q.q_max is not None:
            conditions.append(AnalyticsSignal.q_value <= q.q_max)
        base = (
            select(AnalyticsSignal, region)
            .outerjoin(
                Institution,
                and_(
                    AnalyticsSignal.unit_type == "institution",
                    Institution.code == AnalyticsSignal.unit,
                ),
            )
            .outerjoin(
                ExamPoint,
                and_(
                    AnalyticsSignal.unit_type == "exam_point",
                    ExamPoint.code == AnalyticsSignal.unit,
                ),
            )
            .where(*conditions)
        )
        total = self.session.scalar(select(func.count()).select_from(base.subquery()))
        rows = self.session.execute(
            base.order_by(AnalyticsSignal.q_value, AnalyticsSignal.id)
            .limit(q.limit)
            .offset(q.offset)
        ).all()
        return [(row[0], row[1]) for row in rows], int(total or 0)

    def unit(self, unit_type: str, unit: str) -> tuple[str, str] | None:
        """(region, name) of a registered institution or exam point, or of a province or city
        with at least one exam point in it; None when there is no such unit."""
        if unit_type == "institution":
            row = self.session.execute(
                select(Institution.region, Institution.name).where(Institution.code == unit)
            ).first()
        elif unit_type == "exam_point":
            row = self.session.execute(
                select(ExamPoint.region, ExamPoint.name).where(ExamPoint.code == unit)
            ).first()
        else:
            found = self.session.scalar(
                select(ExamPoint.id).where(_results_of(unit_type, unit)).limit(1)
            )
            row = (unit, "") if found is not None else None
        return (str(row[0]), str(row[1])) if row is not None else None

    def names(self, unit_type: str, codes: list[str]) -> dict[str, str]:
        """The registered names of institutions or exam points (divisions are named in
        the domain)."""
        if not codes or unit_type not in ("institution", "exam_point"):
            return {}
        table = Institution if unit_type == "institution" else ExamPoint
        rows = self.session.execute(select(table.code, table.name).where(table.code.in_(codes)))
        return {str(code): str(name) for code, name in rows}

    def regions(self, unit_type: str, codes: list[str]) -> dict[str, str]:
        """The division of each registered institution or exam point among ``codes``."""
        if not codes:
            return {}
        if unit_type in DIVISION_LEVELS:
            return {code: code for code in codes}
        table = Institution if unit_type == "institution" else ExamPoint
        rows = self.session.execute(select(table.code, table.region).where(table.code.in_(codes)))
        return {str(code): str(region) for code, region in rows}

    def _joined(self, *columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(ExamResult)
            .join(ExamPoint, ExamPoint.id == ExamResult.exam_point_id)
            .join(Institution, Institution.id == ExamPoint.institution_id)
        )

    def unit_months(self, unit_type: str, unit: str, start: date, end: date) -> list[UnitMonth]:
        """The unit's exams and passes in each month from ``start`` to ``end`` that has any."""
        month = month_of(ExamResult.exam_on)
        query = (
            self._joined(month, func.count(), func.sum(case((ExamResult.passed, 1), else_=0)))
            .where(
                _results_of(unit_type, unit),
                ExamResult.exam_on >= start,
                ExamResult.exam_on <= end,
            )
            .group_by(month)
            .order_by(month)
        )
        return [UnitMonth(str(m), int(n), int(k or 0)) for m, n, k in self.session.execute(query)]

    def theory_scores(
        self, unit_type: str, unit: str, start: date, end: date
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Theory scores from ``start`` to ``end`` counted by whole score (79.5 counts as 79):
        the unit's, and all other units' of its level (every other exam there)."""
        mine = case((_results_of(unit_type, unit), 1), else_=0)
        query = (
            self._joined(ExamResult.theory_score, func.count(), func.sum(mine))
            .where(ExamResult.exam_on >= start, ExamResult.exam_on <= end)
            .group_by(ExamResult.theory_score)
        )
        unit_counts: dict[int, int] = {}
        peer_counts: dict[int, int] = {}
        # Grouped by the stored score (a few hundred values at most); whole scores are taken
        # here because CAST rounds on PostgreSQL and truncates on SQLite.
        for score, total, own in self.session.execute(query):
            whole = int(float(score) // 1)
            own = int(own or 0)
            unit_counts[whole] = unit_counts.get(whole, 0) + own
            peer_counts[whole] = peer_counts.get(whole, 0) + int(total) - own
        return unit_counts, peer_counts
