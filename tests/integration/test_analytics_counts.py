"""The analytics run's monthly counts, summed by the database, agree with the rows themselves."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from opcert.domain.workdays import is_workday
from opcert.persistence.models import ExamPoint, ExamResult, Person
from opcert.services.synth import synthesise

SCALE = 0.0001


@pytest.fixture
def loaded(ctx, tmp_path):  # type: ignore[no-untyped-def]
    return synthesise(ctx, SCALE, seed=5, sample=tmp_path / "sample.csv")


def _span(ctx):  # type: ignore[no-untyped-def]
    end = ctx.today()
    return date(end.year - 1, end.month, 1), end


def test_the_monthly_counts_add_up_to_every_exam_in_the_span(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    start, end = _span(ctx)
    off = [date.fromordinal(d) for d in range(start.toordinal(), end.toordinal() + 1)]
    off = [d for d in off if not is_workday(d)]
    with ctx.uow() as uow:
        counts = uow.analytics.monthly_counts(start, end, off)
        rows = uow.session.execute(
            select(
                ExamResult.passed,
                ExamResult.exam_on,
                ExamResult.theory_score,
                ExamPoint.region,
                Person.division,
            )
            .join(ExamPoint, ExamPoint.id == ExamResult.exam_point_id)
            .join(Person, Person.id == ExamResult.person_id)
            .where(ExamResult.exam_on >= start, ExamResult.exam_on <= end)
        ).all()
    assert rows, "the synthetic data has exams in the last year"
    assert sum(c.sat for c in counts) == len(rows)
    assert sum(c.passed for c in counts) == sum(r.passed for r in rows)
    assert sum(c.off_days for c in counts) == sum(not is_workday(r.exam_on) for r in rows)
    assert sum(c.far for c in counts) == sum(r.region[:2] != r.division[:2] for r in rows)
    assert sum(c.above for c in counts) == sum(80 <= r.theory_score < 82 for r in rows)
    assert {c.month for c in counts} <= {
        f"{y}-{m:02d}" for y in (start.year, end.year) for m in range(1, 13)
    }
    # First attempts: one per (person, item) whose earliest exam falls in the span.
    assert sum(c.first_sat for c in counts) <= len(rows)
    assert all(0 <= c.first_passed <= c.first_sat <= c.sat for c in counts)


def test_a_phone_given_by_three_people_is_counted_for_each_of_them(ctx, loaded) -> None:  # type: ignore[no-untyped-def]
    start, end = _span(ctx)
    with ctx.uow() as uow:
        rows = (
            uow.session.execute(
                select(ExamResult).where(ExamResult.exam_on >= start, ExamResult.exam_on <= end)
            )
            .scalars()
            .all()
        )
        by_phone: dict[str, set[int]] = {}
        for r in rows:
            if r.phone:
                by_phone.setdefault(r.phone, set()).add(r.person_id)
        shared = Counter(r.phone for r in rows if r.phone and len(by_phone[r.phone]) >= 3)
        counts = uow.analytics.monthly_counts(start, end, [])
    assert sum(c.shared_phone for c in counts) == sum(shared.values())
