"""``opcert analytics run``: test every unit of every level over a span of months, keep the
tests whose Benjamini–Hochberg q-value is under the run's level, and record the run."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from opcert.domain.errors import FieldError
from opcert.domain.workdays import is_workday
from opcert.persistence.models import AnalyticsRun, AnalyticsSignal
from opcert.persistence.repositories.analytics import MonthlyCounts
from opcert.services.analytics import holds
from opcert.services.analytics.explanations import explain
from opcert.services.analytics.signals import MINIMUM, Kind, Test, all_tests
from opcert.services.analytics.statistics import q_values
from opcert.services.kernel.context import ServiceContext

HISTORY_MONTHS = 24  # a month's volume is compared with up to the 24 months before it
DEFAULT_FDR = 0.1


@dataclass(frozen=True)
class Signal:
    test: Test
    q_value: float
    provisional: bool
    explanation_zh: str
    explanation_en: str


@dataclass
class RunResult:
    run_id: int
    tests: int
    signals: list[Signal]
    periods: list[str]
    provisional: list[str]
    untested: dict[str, int] = field(default_factory=dict)


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def shift_month(month: str, by: int) -> str:
    """The month ``by`` months after ``month`` (before, when negative), both "YYYY-MM"."""
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + by
    return f"{index // 12}-{index % 12 + 1:02d}"


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def _last_day(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])


def _history(month: str) -> list[str]:
    return [shift_month(month, -n) for n in range(HISTORY_MONTHS, 0, -1)]


def _period_end(period: str) -> date:
    return _last_day(period if len(period) == 7 else f"{period}-12")


def _days_off(start: date, end: date) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in days if not is_workday(d)]


def run(
    ctx: ServiceContext,
    start: date,
    end: date,
    fdr: float = DEFAULT_FDR,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Analyse the months from ``start`` to ``end``. Invalid for a reversed span, a span in the
    future or an FDR level outside (0, 1)."""
    today = ctx.today()
    if end < start:
        raise FieldError(
            "to", "SPAN_REVERSED", "结束日期早于开始日期", "the end date is before the start date"
        )
    if start > today:
        raise FieldError(
            "from", "SPAN_IN_FUTURE", "开始日期在未来", "the start date is in the future"
        )
    if not 0 < fdr < 1:
        raise FieldError(
            "fdr",
            "FDR_OUT_OF_RANGE",
            "错误发现率须在 0 与 1 之间",
            "the FDR level must be between 0 and 1",
        )
    end = min(end, today)
    months = months_between(start, end)
    # The history of the first month, and the whole of the year before the first year.
    first = min(shift_month(months[0], -HISTORY_MONTHS), f"{int(months[0][:4]) - 1}-01")
    load_from = _first_day(first)
    load_to = min(_last_day(months[-1][:4] + "-12"), today)
    started = ctx.now()
    with ctx.uow() as uow:
        rows = uow.analytics.monthly_counts(load_from, load_to, _days_off(load_from, load_to))
    years = sorted({m[:4] for m in months})
    periods = [*months, *years]
    tests = all_tests(rows, periods, _history, progress)
    open_periods = [p for p in periods if _period_end(p) >= today]
    signals = select(tests, fdr, open_periods)
    untested = _untested(rows, months)
    run_id = _record(ctx, (start, end, fdr), tests, signals, open_periods, untested, started)
    holds.apply_holds(ctx, run_id, signals)  # --- holds --- (decision 0028)
    return RunResult(run_id, len(tests), signals, periods, open_periods, untested)


def select(tests: Sequence[Test], fdr: float, open_months: Sequence[str]) -> list[Signal]:
    """The tests under the FDR level, strongest first, each explained."""
    q = q_values([t.p_value for t in tests])
    chosen = [
        Signal(t, float(qv), t.period in open_months, *explain(t))
        for t, qv in zip(tests, q, strict=True)
        if qv < fdr
    ]
    return sorted(chosen, key=lambda s: (s.q_value, -abs(np.log(max(s.test.effect, 1e-9)))))


def _untested(rows: Sequence[MonthlyCounts], months: Sequence[str]) -> dict[str, int]:
    """How many exam-point months of the span had too few exams to test their pass rate."""
    sat: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.month in months:
            sat[(row.exam_point, row.month)] += row.sat
    below = sum(1 for n in sat.values() if n < MINIMUM[Kind.PASS_RATE])
    return {"exam_point_months": len(sat), "exam_point_months_below_minimum": below}


def _record(
    ctx: ServiceContext,
    span: tuple[date, date, float],
    tests: Sequence[Test],
    signals: Sequence[Signal],
    open_months: Sequence[str],
    untested: dict[str, int],
    started: datetime,
) -> int:
    """Store the run, replacing an earlier run over the same span (idempotent per period)."""
    start, end, fdr = span
    with ctx.uow() as uow:
        uow.analytics.delete_runs(start, end)
        record = AnalyticsRun(
            date_from=start,
            date_to=end,
            fdr=fdr,
            tests=len(tests),
            untested=untested,
            provisional=list(open_months),
            started_at=started,
            finished_at=ctx.now(),
        )
        uow.analytics.add(record)
        uow.flush()
        uow.analytics.add_signals([_row(record.id, s) for s in signals])
        uow.commit()
        return record.id


def _row(run_id: int, signal: Signal) -> AnalyticsSignal:
    t = signal.test
    return AnalyticsSignal(
        run_id=run_id,
        unit_type=str(t.unit_type),
        unit=t.unit,
        kind=str(t.kind),
        period=t.period,
        statistic=t.statistic,
        p_value=t.p_value,
        q_value=signal.q_value,
        effect=t.effect,
        observed=t.observed,
        reference=t.reference,
        provisional=signal.provisional,
        explanation_zh=signal.explanation_zh,
        explanation_en=signal.explanation_en,
    )
