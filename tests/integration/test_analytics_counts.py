"""The analytics run's monthly counts, summed by the database, agree with the rows themselves."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from opcert.domain.workdays import is_workday
from opcert.persistence.models import ExamPoint, ExamResult, Person
from opcert.services.intake.pipeline import submit_results
from opcert.services.synth import synthesise
from tests.integration.builders import id_number, make_result

SCALE = 0.0001


@pytest.fixture
def loaded(ctx):  # type: ignore[no-untyped-def]
    return synthesise(ctx, SCALE, seed=5, exams_only=True)  # the exam data alone: nothing to sign


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
    # First attempts: one per (person, item) whose earliest exam (by date, then id) falls in
    # the span, as the load marked them when it wrote the results.
    with ctx.uow() as uow:
        every = uow.session.execute(
            select(
                ExamResult.id,
                ExamResult.id_number,
                ExamResult.item_code,
                ExamResult.exam_on,
                ExamResult.passed,
            )
        ).all()
    earliest: dict[tuple[str, str], tuple[date, int, bool]] = {}
    for row in every:
        key, seen = (row.id_number, row.item_code), (row.exam_on, row.id, row.passed)
        earliest[key] = min(earliest.get(key, seen), seen)
    firsts = [v for v in earliest.values() if start <= v[0] <= end]
    assert firsts
    assert sum(c.first_sat for c in counts) == len(firsts)
    assert sum(c.first_passed for c in counts) == sum(passed for _, _, passed in firsts)


def test_a_result_filed_late_for_an_earlier_exam_takes_the_first_attempt_mark(ctx, world) -> None:  # type: ignore[no-untyped-def]
    number = id_number(seq=91_001)
    later = make_result(id_number=number, theory_score=60, exam_date="2026-11-19")
    other_item = make_result(id_number=number, item="1.1", exam_date="2026-11-19")
    submit_results(ctx, world.zhuhai, [later, other_item])
    earlier = make_result(id_number=number, theory_score=55, exam_date="2026-11-02")
    submit_results(ctx, world.zhuhai, [earlier])
    with ctx.uow() as uow:
        marks = {
            r.ref: (r.first_attempt, r.home_division)
            for r in uow.session.scalars(select(ExamResult).where(ExamResult.id_number == number))
        }
    assert (
        marks
        == {
            earlier["ref"]: (True, number[:6]),  # the earliest exam in the item, filed last
            later["ref"]: (False, number[:6]),  # its mark was taken over
            other_item["ref"]: (True, number[:6]),  # another item has its own first attempt
        }
    )


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


def test_a_run_records_its_signals_and_a_second_run_of_the_same_span_replaces_it(
    ctx,
) -> None:  # type: ignore[no-untyped-def]
    from opcert.services.analytics import run as analysis

    # 18,000 holders: enough for each province's yearly pass rate to be tested (30 exams)
    synthesise(ctx, 0.001, seed=5, exams_only=True)
    start, end = date(ctx.today().year - 3, 1, 1), ctx.today()
    first = analysis.run(ctx, start, end, fdr=0.1)
    second = analysis.run(ctx, start, end, fdr=0.1)
    assert first.tests == second.tests > 0
    assert [(s.test.unit, s.test.kind, s.test.period) for s in first.signals] == [
        (s.test.unit, s.test.kind, s.test.period) for s in second.signals
    ]
    with ctx.uow() as uow:
        runs = [r.id for r in uow.analytics.runs()]
        stored = [
            (s.q_value, s.explanation_zh, s.explanation_en)
            for s in uow.analytics.signals(second.run_id)
        ]
    assert runs == [second.run_id]
    assert len(stored) == len(second.signals)
    assert all(q < 0.1 and zh and en for q, zh, en in stored)
    assert str(ctx.today().year) in second.provisional


def test_a_span_with_no_exams_gives_no_tests_and_no_signals(ctx) -> None:  # type: ignore[no-untyped-def]
    from opcert.services.analytics import run as analysis

    result = analysis.run(ctx, date(2001, 1, 1), date(2001, 12, 31))
    assert result.tests == 0 and result.signals == []


@pytest.mark.parametrize(
    ("start", "end", "fdr", "field"),
    [
        (date(2026, 5, 1), date(2026, 4, 1), 0.1, "to"),
        (date(2099, 1, 1), date(2099, 2, 1), 0.1, "from"),
        (date(2025, 1, 1), date(2025, 2, 1), 1.5, "fdr"),
    ],
    ids=["reversed", "future", "fdr-above-one"],
)
def test_a_bad_span_or_level_is_refused_naming_the_field(ctx, start, end, fdr, field) -> None:  # type: ignore[no-untyped-def]
    from opcert.domain.errors import FieldError
    from opcert.services.analytics import run as analysis

    with pytest.raises(FieldError) as refused:
        analysis.run(ctx, start, end, fdr=fdr)
    assert refused.value.field == field
