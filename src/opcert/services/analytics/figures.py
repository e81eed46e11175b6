"""The figures behind the signals, for people who would rather look than read (issue 16): the
funnel plot of a level's pass rates in a period, a unit's monthly series, from the same monthly
counts and the same statistics as the tests, so a chart never disagrees with a signal.

A funnel plot (Spiegelhalter 2005) puts each unit at its precision (expected passes for its item
mix) against its standardised pass ratio (observed over expected passes). The control limits are
1 ± z·sqrt(1/E + τ²) with the run's own overdispersion τ²: a unit outside the 99.8 % limits is
what the pass-rate test flags before the false-discovery control.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from opcert.persistence.repositories.analytics import MonthlyCounts
from opcert.services.analytics.signals import MINIMUM, Kind, Mix, UnitType, roll_up
from opcert.services.analytics.statistics import overdispersed, standardised_ratios

LIMITS = (0.95, 0.998)  # two-sided coverage of the inner and outer control limits


@dataclass(frozen=True)
class FunnelPoint:
    unit: str
    sat: int
    passed: int
    expected: float  # passes the peers' item rates predict for the unit's mix
    ratio: float  # observed over expected passes
    z: float  # overdispersion-corrected


@dataclass(frozen=True)
class LimitPoint:
    expected: float
    inner_low: float
    inner_high: float
    outer_low: float
    outer_high: float


@dataclass(frozen=True)
class Funnel:
    level: UnitType
    period: str  # YYYY-MM or YYYY
    first_attempt: bool
    tau2: float
    phi: float
    points: list[FunnelPoint]
    limits: list[LimitPoint]
    untested: int  # units with exams that period but fewer than the minimum


@dataclass(frozen=True)
class MonthFigures:
    month: str
    sat: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.sat if self.sat else None


def _in_period(row: MonthlyCounts, period: str) -> bool:
    return row.month == period if len(period) == 7 else row.month[:4] == period


def _tested_cells(
    mix: Mix, first_attempt: bool
) -> tuple[list[str], list[str], list[int], list[int], int]:
    """The (unit, item, sat, passed) cells of the units with enough exams to test, and how many
    units had some exams but too few."""
    kind = Kind.FIRST_ATTEMPT if first_attempt else Kind.PASS_RATE
    units: list[str] = []
    items: list[str] = []
    sat: list[int] = []
    passed: list[int] = []
    untested = 0
    for (unit, _month), parts in mix.items():
        total = sum(p[3] if first_attempt else p[1] for p in parts)
        if total < MINIMUM[kind]:
            untested += 1 if total else 0
            continue
        for item, s, k, fs, fk in parts:
            n = fs if first_attempt else s
            if n > 0:
                units.append(unit)
                items.append(item)
                sat.append(n)
                passed.append(fk if first_attempt else k)
    return units, items, sat, passed, untested


def pass_rate_funnel(
    rows: Iterable[MonthlyCounts],
    level: UnitType,
    period: str,
    first_attempt: bool = False,
    steps: int = 60,
) -> Funnel | None:
    """The funnel of ``level``'s units in ``period`` (a month or a year), or None when fewer than
    three units have enough exams to estimate the spread between them."""
    chosen = [row for row in rows if _in_period(row, period)]
    _, mix = roll_up(chosen, level, yearly=len(period) == 4)
    units, items, sat, passed, untested = _tested_cells(mix, first_attempt)
    if not units:
        return None
    ids, ratios = standardised_ratios(units, items, sat, passed)
    keep = np.isfinite(ratios.variance) & (ratios.variance > 0)
    if keep.sum() < 3:
        return None
    funnel = overdispersed(ratios.ratio[keep], ratios.variance[keep], target=1.0)
    totals: dict[str, tuple[int, int]] = {}
    for unit, n, k in zip(units, sat, passed, strict=True):
        got = totals.get(unit, (0, 0))
        totals[unit] = (got[0] + n, got[1] + k)
    points = [
        FunnelPoint(str(u), totals[str(u)][0], totals[str(u)][1], float(e), float(r), float(z))
        for u, e, r, z in zip(
            ids[keep], ratios.expected[keep], ratios.ratio[keep], funnel.z, strict=True
        )
    ]
    points.sort(key=lambda p: -abs(p.z))
    return Funnel(
        level,
        period,
        first_attempt,
        funnel.tau2,
        funnel.phi,
        points,
        control_limits(
            [p.expected for p in points],
            funnel.tau2,
            steps,
            # var(ratio)·E: the share failing, for this level's item mix (1/E would put the
            # limits wider than the test, and a flagged unit inside them)
            float(np.median(ratios.variance[keep] * ratios.expected[keep])),
        ),
        untested,
    )


def control_limits(
    expected: Sequence[float], tau2: float, steps: int = 60, failing: float = 1.0
) -> list[LimitPoint]:
    """The funnel's limits along the range of expected passes, spaced evenly on a log scale.

    The ratio's sampling variance is ``failing``/E (a binomial count over its expectation:
    ``failing`` is the share that fails, 1 for rare events), plus the overdispersion τ².
    """
    if not expected:
        return []
    low, high = max(min(expected), 1.0), max(max(expected), 2.0)
    inner, outer = (float(stats.norm.isf((1 - c) / 2)) for c in LIMITS)
    limits = []
    for e in np.geomspace(low, high * 1.05, steps):
        spread = float(np.sqrt(failing / e + tau2))
        limits.append(
            LimitPoint(
                float(e),
                max(0.0, 1 - inner * spread),
                1 + inner * spread,
                max(0.0, 1 - outer * spread),
                1 + outer * spread,
            )
        )
    return limits


def unit_series(
    rows: Iterable[MonthlyCounts], level: UnitType, unit: str, months: Sequence[str]
) -> list[MonthFigures]:
    """A unit's exams and passes in each of ``months`` (0 for a month with none)."""
    cells, _ = roll_up((r for r in rows if r.month in set(months)), level, yearly=False)
    series = []
    for month in months:
        cell = cells.get((unit, month))
        series.append(MonthFigures(month, cell.sat if cell else 0, cell.passed if cell else 0))
    return series
