"""The exam-data aggregates the analytics run reads (issue 16): one row per exam point, item
and month, summed by the database so that only a few thousand rows reach Python even at
national scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    delete,
    func,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from opcert.persistence.models import (
    AnalyticsRun,
    AnalyticsSignal,
    ExamPoint,
    ExamResult,
    Institution,
)

PASS_MARK = 80.0  # theory and practical (考核标准: 满分 100 分，80 分及格)
FIRST_PASSED_UNIT = 2**32  # a group has far fewer than 2**31 rows: the sum stays in 64 bits
HEAP_WIDTH = 2.0  # the bands compared: [78, 80) just below, [80, 82) just above


class month_of(FunctionElement[str]):
    """``YYYY-MM`` of a date column, in each dialect's own words."""

    type = String()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@dataclass(frozen=True)
class MonthlyCounts:
    """What an exam point examined in one item in one month."""

    exam_point: str
    institution: str
    region: str  # the exam point's 6-digit division
    item: str
    month: str  # YYYY-MM
    sat: int
    passed: int
    first_sat: int  # the candidate's first attempt at this item
    first_passed: int
    below: int  # theory scores in [78, 80)
    above: int  # theory scores in [80, 82)
    # Passing practical scores (80 and over): the spread of the scores that passed does not
    # depend on how many passed, as the spread of all scores does (a unit that passes more has
    # fewer low scores, so a narrower spread, with nothing wrong).
    practical_n: int
    # Sums of (score - 80) to the 1st..4th power over the practical scores: the moments behind
    # the spread test (the 3rd and 4th give the kurtosis its sampling variance needs).
    practical_sum: float
    practical_squares: float
    practical_cubes: float
    practical_fourths: float
    far: int  # candidates whose home province is not the exam point's
    off_days: int  # exams held on a day that is not an official working day
    shared_phone: int  # candidates whose phone is given by 3 or more people


_FIELDS = [f.name for f in fields(MonthlyCounts)]


def _cell_sums(in_span: Any, off_days: Sequence[date]) -> tuple[Any, ...]:
    """The sums of one cell (exam point id, item, month, home province) over the results alone:
    every column is in ``ix_exam_results_analytics``."""
    r = ExamResult
    shared = (
        select(r.phone)
        .where(in_span, r.phone.is_not(None))
        .group_by(r.phone)
        .having(func.count(func.distinct(r.person_id)) >= 3)
    )
    # The passing practical scores: see ``MonthlyCounts.practical_n``.
    sat_practical = r.practical_score >= PASS_MARK
    shifted = r.practical_score - PASS_MARK  # small numbers: the 4th power stays exact
    one = literal(1)
    off = case((r.exam_on.in_(list(off_days)), one), else_=0) if off_days else literal(0)
    sums = (
        func.count().label("sat"),
        func.sum(case((r.passed, 1), else_=0)).label("passed"),
        # first attempts (marked when filed) and first passes in one sum: FIRST_PASSED_UNIT
        # per first pass plus 1 per first attempt (decoded in _counts)
        func.sum(
            case((r.first_attempt, case((r.passed, FIRST_PASSED_UNIT + 1), else_=1)), else_=0)
        ).label("firsts"),
        _between(r.theory_score, PASS_MARK - HEAP_WIDTH, PASS_MARK).label("below"),
        _between(r.theory_score, PASS_MARK, PASS_MARK + HEAP_WIDTH).label("above"),
        func.sum(case((sat_practical, 1), else_=0)).label("practical_n"),
        *(
            _power_sum(sat_practical, shifted, power).label(f"practical_{power}")
            for power in (1, 2, 3, 4)
        ),
        func.sum(off).label("off_days"),
        func.sum(case((r.phone.in_(shared), 1), else_=0)).label("shared_phone"),
    )
    return sums


def _power_sum(condition: Any, value: Any, power: int) -> Any:
    term = value
    for _ in range(power - 1):
        term = term * value
    return func.coalesce(func.sum(case((condition, term), else_=0.0)), 0.0)


def _between(column: Any, low: float, high: float) -> Any:
    return func.sum(case((and_(column >= low, column < high), 1), else_=0))


class AnalyticsRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    def add_signals(self, rows: Sequence[AnalyticsSignal]) -> None:
        self.session.add_all(rows)

    def delete_runs(self, start: date, end: date) -> int:
        """Remove the runs over exactly this span and their signals; how many runs."""
        runs = select(AnalyticsRun.id).where(
            AnalyticsRun.date_from == start, AnalyticsRun.date_to == end
        )
        self.session.execute(delete(AnalyticsSignal).where(AnalyticsSignal.run_id.in_(runs)))
        result = self.session.execute(
            delete(AnalyticsRun).where(AnalyticsRun.date_from == start, AnalyticsRun.date_to == end)
        )
        return int(result.rowcount or 0)

    def signals(self, run_id: int) -> list[AnalyticsSignal]:
        return list(
            self.session.scalars(
                select(AnalyticsSignal)
                .where(AnalyticsSignal.run_id == run_id)
                .order_by(AnalyticsSignal.q_value, AnalyticsSignal.id)
            )
        )

    def runs(self) -> list[AnalyticsRun]:
        return list(self.session.scalars(select(AnalyticsRun).order_by(AnalyticsRun.id.desc())))

    def monthly_counts(
        self, start: date, end: date, off_days: Sequence[date]
    ) -> list[MonthlyCounts]:
        """Rows for exams from ``start`` to ``end`` (inclusive); ``off_days`` are the dates in
        that span that are not working days (the caller knows the official calendar).

        Two steps (decision 0030): the results alone are summed by exam point id, item, month
        and home province, which reads nothing but ``ix_exam_results_analytics`` over the span;
        only those few sums are then joined to the exam points and institutions. Joined first,
        SQLite's planner starts from the exam points and reads each one's rows of every date."""
        r = ExamResult
        in_span = and_(r.exam_on >= start, r.exam_on <= end)
        month = month_of(r.exam_on).label("month")
        home = func.substr(r.home_division, 1, 2).label("home")
        sums = _cell_sums(in_span, off_days)
        cells = (
            select(r.exam_point_id, r.item_code, month, home, *sums)
            .where(in_span)
            .group_by(r.exam_point_id, r.item_code, month, home)
            .subquery("cells")
        )
        c = cells.c
        away = c.home != func.substr(ExamPoint.region, 1, 2)  # unknown home: not counted
        columns = (
            ExamPoint.code,
            Institution.code,
            ExamPoint.region,
            c.item_code,
            c.month,
            *(
                func.sum(column)
                for column in (
                    c.sat,
                    c.passed,
                    c.firsts,
                    c.below,
                    c.above,
                    c.practical_n,
                    c.practical_1,
                    c.practical_2,
                    c.practical_3,
                    c.practical_4,
                )
            ),
            func.sum(case((away, c.sat), else_=0)),
            func.sum(c.off_days),
            func.sum(c.shared_phone),
        )
        query = (
            select(*columns)
            .select_from(cells)
            .join(ExamPoint, ExamPoint.id == c.exam_point_id)
            .join(Institution, Institution.id == ExamPoint.institution_id)
            .group_by(ExamPoint.code, Institution.code, ExamPoint.region, c.item_code, c.month)
        )
        return [_counts(row) for row in self.session.execute(query)]

    def away_exams(self, start: date, end: date) -> list[AwayExam]:
        """Exams from ``start`` to ``end`` sat outside the candidate's home province, oldest
        first; the caller judges the distance."""
        return [_away(row) for row in self.session.execute(_away_query(start, end))]


@dataclass(frozen=True)
class AwayExam:
    """An exam sat in a province other than the candidate's home province."""

    id_number: str
    home: str  # the holder's 6-digit division
    exam_point: str
    institution: str
    region: str  # the exam point's division
    item: str
    exam_on: date
    passed: bool


def _away_query(start: date, end: date) -> Any:
    r = ExamResult
    return (
        select(
            r.id_number,
            r.home_division,
            ExamPoint.code,
            Institution.code,
            ExamPoint.region,
            r.item_code,
            r.exam_on,
            r.passed,
        )
        .select_from(r)
        .join(ExamPoint, ExamPoint.id == r.exam_point_id)
        .join(Institution, Institution.id == ExamPoint.institution_id)
        .where(
            r.exam_on >= start,
            r.exam_on <= end,
            func.substr(r.home_division, 1, 2) != func.substr(ExamPoint.region, 1, 2),
        )
        .order_by(r.exam_on, r.id)
    )


def _away(row: Any) -> AwayExam:
    id_number, home, point, institution, region, item, exam_on, passed = row
    return AwayExam(id_number, home, point, institution, region, item, exam_on, bool(passed))


def _counts(row: Any) -> MonthlyCounts:
    code, institution, region, item, month = row[:5]
    sat, passed, firsts = (int(v or 0) for v in row[5:8])
    first_passed, first_sat = divmod(firsts, FIRST_PASSED_UNIT)
    ints = [sat, passed, first_sat, first_passed, *(int(v or 0) for v in row[8:11])]
    sums = [float(v) for v in row[11:15]]
    tail = [int(v or 0) for v in row[15:]]
    values: list[Any] = [code, institution, region, item, month, *ints, *sums, *tail]
    return MonthlyCounts(**dict(zip(_FIELDS, values, strict=True)))
