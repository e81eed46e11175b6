"""Exam results as institutions sent them, and the failed attempts they add up to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from opcert.persistence.models import ExamResult
from opcert.persistence.repositories.bulk import insert_records_returning_ids
from opcert.persistence.repositories.chunks import chunks


@dataclass(slots=True)
class NewExamResult:
    """One result to record. Intake fills ``person_id`` once the person is registered, and
    ``outcome``, ``response`` and ``application_id`` once the result is filed."""

    institution_id: int
    ref: str
    content_hash: str
    id_number: str
    name: str
    item_code: str
    catalogue_version: str
    theory_score: float
    practical_score: float | None
    exam_on: date
    exam_point_id: int
    training_institution: str | None
    education: int | None
    phone: str | None
    rule_set: str
    passed: bool
    received_at: datetime
    person_id: int = 0
    outcome: str = "failed"
    response: dict[str, Any] = field(default_factory=dict)
    application_id: str | None = None
    home_division: str | None = None  # the holder's division when filed (for the analysis)


_TABLE = cast(Table, ExamResult.__table__)
_COLUMNS = tuple(f.name for f in fields(NewExamResult))
_VALUES = attrgetter(*_COLUMNS)


class ExamResultRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, results: Sequence[NewExamResult]) -> list[int]:
        """Insert the results in one statement; their ids, in order."""
        return insert_records_returning_ids(self.session, _TABLE, _COLUMNS, results, _VALUES)

    def mark_first_attempts(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Mark, for each (ID number, item), the person's earliest exam in the item (by exam date,
        then id) as the first attempt, and no other: after results are recorded, in their
        transaction. A result filed late for an earlier date takes the mark over. Reads each
        person's results in the item through its index; how many rows changed."""
        r = ExamResult
        wanted = set(pairs)
        changed = 0
        for part in chunks(sorted(wanted)):
            query = (
                select(r.id, r.id_number, r.item_code, r.exam_on, r.first_attempt)
                .where(
                    r.id_number.in_(sorted({number for number, _ in part})),
                    r.item_code.in_(sorted({item for _, item in part})),
                )
                .order_by(r.id_number, r.item_code, r.exam_on, r.id)
            )
            seen: set[tuple[str, str]] = set()
            marks: dict[bool, list[int]] = {True: [], False: []}
            for row_id, number, item, _, marked in self.session.execute(query):
                pair = (number, item)
                if pair not in wanted:
                    continue
                first = pair not in seen
                seen.add(pair)
                if bool(marked) != first:
                    marks[first].append(row_id)
            for value, ids in marks.items():
                if ids:
                    self.session.execute(
                        update(r)
                        .where(r.id.in_(ids))
                        .values(first_attempt=value)
                        .execution_options(synchronize_session=False)
                    )
                    changed += len(ids)
        return changed

    def stored(self, institution_id: int, refs: Iterable[str]) -> dict[str, ExamResult]:
        """The institution's results already stored under these refs (the idempotency key)."""
        query = select(ExamResult).where(
            ExamResult.institution_id == institution_id, ExamResult.ref.in_(list(refs))
        )
        return {row.ref: row for row in self.session.scalars(query)}

    def of_institution(self, institution_id: int, limit: int = 100) -> Sequence[ExamResult]:
        query = (
            select(ExamResult)
            .where(ExamResult.institution_id == institution_id)
            .order_by(ExamResult.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def failed_attempts(
        self, pairs: Iterable[tuple[str, str]], since: date, pass_mark: float
    ) -> dict[tuple[str, str], tuple[int, int]]:
        """Failed theory and practical attempts per (id_number, item) since a date."""
        wanted = set(pairs)
        if not wanted:
            return {}
        query = (
            select(
                ExamResult.id_number,
                ExamResult.item_code,
                func.sum(case((ExamResult.theory_score < pass_mark, 1), else_=0)),
                func.sum(_practical_failed(pass_mark)),
            )
            .where(
                ExamResult.id_number.in_(sorted({number for number, _ in wanted})),
                ExamResult.passed.is_(False),
                ExamResult.exam_on >= since,
            )
            .group_by(ExamResult.id_number, ExamResult.item_code)
        )
        return {
            (r[0], r[1]): (int(r[2] or 0), int(r[3] or 0))
            for r in self.session.execute(query)
            if (r[0], r[1]) in wanted
        }


def _practical_failed(pass_mark: float) -> Any:
    """1 for an attempt that passed theory and failed (or missed) the practical part."""
    practical_short = or_(
        ExamResult.practical_score.is_(None), ExamResult.practical_score < pass_mark
    )
    return case((and_(ExamResult.theory_score >= pass_mark, practical_short), 1), else_=0)
