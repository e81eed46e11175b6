"""From monthly counts to tests and signals (issue 16): every unit of every level, every kind,
every month of a run, each an overdispersed comparison with its peers or its own history.

A unit is tested only with enough exams behind the figure (``MINIMUM``, also in
docs/operations.md); the units left out are counted, not hidden. The levels are nested (an exam
point is in an institution, a city, a province), so the tests are positively dependent, under
which Benjamini–Hochberg still controls the false-discovery rate (Benjamini & Yekutieli 2001).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from opcert.persistence.repositories.analytics import MonthlyCounts
from opcert.services.analytics.statistics import (
    Direction,
    log_odds_ratios,
    overdispersed,
    share_tail,
    share_variance,
    standardised_ratios,
    volume_spike,
)


class UnitType(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    INSTITUTION = "institution"
    EXAM_POINT = "exam_point"


class Kind(StrEnum):
    PASS_RATE = "pass_rate"  # noqa: S105 (a kind of signal, not a password)
    FIRST_ATTEMPT = "first_attempt_pass_rate"
    YEAR_ON_YEAR = "pass_rate_year_on_year"
    VOLUME = "volume_spike"
    HEAPING = "score_heaping"
    PRACTICAL_SPREAD = "practical_score_spread"
    FAR = "far_from_home"
    SHARED_CONTACT = "shared_contact"
    OFF_DAY = "off_day_exams"


# The fewest exams (or scores, for the score tests) behind a figure for it to be tested.
MINIMUM = {
    Kind.PASS_RATE: 30,
    Kind.FIRST_ATTEMPT: 30,
    Kind.YEAR_ON_YEAR: 30,  # in each of the two years' months
    Kind.VOLUME: 6,  # months of history, averaging at least 5 exams
    Kind.HEAPING: 30,
    Kind.PRACTICAL_SPREAD: 20,
    Kind.FAR: 30,
    Kind.SHARED_CONTACT: 30,
    Kind.OFF_DAY: 30,
}


def unit_of(row: MonthlyCounts, level: UnitType) -> str:
    if level is UnitType.PROVINCE:
        return row.region[:2] + "0000"
    if level is UnitType.CITY:
        return row.region[:4] + "00"
    return row.institution if level is UnitType.INSTITUTION else row.exam_point


@dataclass(frozen=True)
class Test:
    """One test of one unit: what an officer needs to judge it, before the q-value."""

    unit_type: UnitType
    unit: str
    kind: Kind
    period: str
    statistic: float  # the overdispersion-corrected z (the volume test: the count)
    p_value: float
    effect: float  # see EFFECTS
    observed: float
    reference: float  # what the peers (or the unit's history) give


EFFECTS = {
    Kind.PASS_RATE: "observed over expected passes for the unit's item mix",
    Kind.FIRST_ATTEMPT: "observed over expected first-attempt passes",
    Kind.YEAR_ON_YEAR: "odds ratio of passing against the same month a year before",
    Kind.VOLUME: "exams over the seasonal expectation",
    Kind.HEAPING: "share of theory scores in [80, 82) over the peers' share",
    Kind.PRACTICAL_SPREAD: "peers' standard deviation of passing practical scores over the unit's",
    Kind.FAR: "share of candidates from another province over the peers' share",
    Kind.SHARED_CONTACT: "share of candidates sharing a phone over the peers' share",
    Kind.OFF_DAY: "share of exams on days off over the peers' share",
}


@dataclass
class Cell:
    """A unit's month, summed over its rows, with the item mix kept for standardisation."""

    sat: int = 0
    passed: int = 0
    first_sat: int = 0
    first_passed: int = 0
    below: int = 0
    above: int = 0
    practical_n: int = 0
    practical_sum: float = 0.0
    practical_squares: float = 0.0
    practical_cubes: float = 0.0
    practical_fourths: float = 0.0
    far: int = 0
    off_days: int = 0
    shared_phone: int = 0

    def add(self, row: MonthlyCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(row, name))


Cells = dict[tuple[str, str], Cell]  # (unit, month) -> cell
Mix = dict[tuple[str, str], list[tuple[str, int, int, int, int]]]  # item, sat, passed, 1st...


def roll_up(rows: Iterable[MonthlyCounts], level: UnitType, yearly: bool) -> tuple[Cells, Mix]:
    """Each unit's months (or calendar years, ``yearly``), summed over its rows."""
    cells: Cells = defaultdict(Cell)
    mix: Mix = defaultdict(list)
    for row in rows:
        key = (unit_of(row, level), row.month[:4] if yearly else row.month)
        cells[key].add(row)
        mix[key].append((row.item, row.sat, row.passed, row.first_sat, row.first_passed))
    return cells, mix


def pass_rate_tests(level: UnitType, month: str, mix: Mix, first: bool) -> list[Test]:
    kind = Kind.FIRST_ATTEMPT if first else Kind.PASS_RATE
    units, items, sat, passed = [], [], [], []
    for (unit, m), parts in mix.items():
        if m != month:
            continue
        total = sum(p[3] if first else p[1] for p in parts)
        if total < MINIMUM[kind]:
            continue
        for item, s, k, fs, fk in parts:
            if (fs if first else s) > 0:
                units.append(unit)
                items.append(item)
                sat.append(fs if first else s)
                passed.append(fk if first else k)
    if not units:
        return []
    ids, ratios = standardised_ratios(units, items, sat, passed)
    keep = np.isfinite(ratios.variance) & (ratios.variance > 0)
    if keep.sum() < 3:
        return []
    funnel = overdispersed(ratios.ratio[keep], ratios.variance[keep], target=1.0)
    return [
        Test(level, str(u), kind, month, float(z), float(p), float(r), float(o), float(e))
        for u, z, p, r, o, e in zip(
            ids[keep],
            funnel.z,
            funnel.p,
            ratios.ratio[keep],
            ratios.observed[keep],
            ratios.expected[keep],
            strict=True,
        )
    ]


def share_tests(
    level: UnitType,
    month: str,
    cells: Cells,
    kind: Kind,
    part: Callable[[Cell], tuple[int, int]],
) -> list[Test]:
    """A share of each unit (``part`` gives the count and its denominator) against the pooled
    share of all units of the level that month."""
    chosen = [
        (unit, *part(cell))
        for (unit, m), cell in cells.items()
        if m == month and part(cell)[1] >= MINIMUM[kind]
    ]
    if len(chosen) < 3:
        return []
    units = [c[0] for c in chosen]
    k = np.array([c[1] for c in chosen], dtype=float)
    n = np.array([c[2] for c in chosen], dtype=float)
    pooled = float(k.sum() / n.sum())
    if not 0 < pooled < 1:
        return []
    funnel = overdispersed(k / n, share_variance(n, pooled), target=pooled)
    exact = share_tail(k, n, pooled, funnel.tau2)
    return [
        Test(level, u, kind, month, float(z), float(p), float(s / pooled), float(s), pooled)
        for u, z, p, s in zip(units, funnel.z, exact, k / n, strict=True)
    ]


def _moments(cell: Cell) -> tuple[float, float]:
    """The practical scores' sample variance and kurtosis (m4 / m2²) from the power sums."""
    n = cell.practical_n
    m1 = cell.practical_sum / n
    raw2, raw3, raw4 = (
        cell.practical_squares / n,
        cell.practical_cubes / n,
        cell.practical_fourths / n,
    )
    m2 = raw2 - m1 * m1
    m4 = raw4 - 4 * m1 * raw3 + 6 * m1 * m1 * raw2 - 3 * m1**4
    return max(m2 * n / (n - 1), 1e-6), (m4 / (m2 * m2) if m2 > 1e-9 else 3.0)


def spread_tests(level: UnitType, month: str, cells: Cells) -> list[Test]:
    """Passing practical scores that vary too little: each unit's log variance against its
    peers'. Only the scores that passed are compared, so a unit that passes more (fewer low
    scores) is not narrower for that alone; scores pushed just over the line are.

    The sampling variance of a log sample variance is (κ − (n−3)/(n−1)) / n for scores of
    kurtosis κ (2/(n−1) only for normal scores); exam scores are far from normal (a pass mark,
    a ceiling), so κ is the median of the units' own kurtosis that period."""
    units, logs, sizes, sds, kurtoses = [], [], [], [], []
    for (unit, m), cell in cells.items():
        n = cell.practical_n
        if m != month or n < MINIMUM[Kind.PRACTICAL_SPREAD]:
            continue
        variance, kurtosis = _moments(cell)
        units.append(unit)
        logs.append(np.log(variance))
        sizes.append(n)
        sds.append(np.sqrt(variance))
        kurtoses.append(kurtosis)
    if len(units) < 3:
        return []
    n_arr = np.array(sizes, dtype=float)
    kappa = float(np.median(kurtoses))
    sampling = np.maximum((kappa - (n_arr - 3) / (n_arr - 1)) / n_arr, 2 / (n_arr - 1))
    funnel = overdispersed(logs, sampling, direction=Direction.LOW)
    typical = float(np.exp(funnel.target / 2))
    return [
        Test(level, u, Kind.PRACTICAL_SPREAD, month, float(z), float(p), typical / sd, sd, typical)
        for u, z, p, sd in zip(units, funnel.z, funnel.p, sds, strict=True)
    ]


def year_on_year_tests(level: UnitType, month: str, cells: Cells) -> list[Test]:
    before = f"{int(month[:4]) - 1}{month[4:]}"
    pairs = [
        (unit, cell, cells[(unit, before)])
        for (unit, m), cell in cells.items()
        if m == month
        and cell.sat >= MINIMUM[Kind.YEAR_ON_YEAR]
        and (unit, before) in cells
        and cells[(unit, before)].sat >= MINIMUM[Kind.YEAR_ON_YEAR]
    ]
    if len(pairs) < 3:
        return []
    odds = log_odds_ratios(
        [c.passed for _, c, _ in pairs],
        [c.sat for _, c, _ in pairs],
        [b.passed for _, _, b in pairs],
        [b.sat for _, _, b in pairs],
    )
    funnel = overdispersed(odds.log_or, odds.variance)
    return [
        Test(
            level,
            u,
            Kind.YEAR_ON_YEAR,
            month,
            float(z),
            float(p),
            float(np.exp(lor)),
            c.passed / c.sat,
            b.passed / b.sat,
        )
        for (u, c, b), z, p, lor in zip(pairs, funnel.z, funnel.p, odds.log_or, strict=True)
    ]


def volume_tests(level: UnitType, month: str, cells: Cells, history: Sequence[str]) -> list[Test]:
    """Each unit's exams in ``month`` against its own ``history`` months (oldest first), with
    the national seasonal index of each month."""
    national: dict[str, int] = defaultdict(int)
    for (_, m), cell in cells.items():
        national[m] += cell.sat
    months = [m for m in history if national.get(m)]
    if len(months) < MINIMUM[Kind.VOLUME] or not national.get(month):
        return []
    mean = float(np.mean([national[m] for m in months]))
    season = np.array([national[m] / mean for m in months])
    tests = []
    for unit in {u for (u, m) in cells if m == month}:
        counts = np.array([cells[(unit, m)].sat if (unit, m) in cells else 0 for m in months])
        if counts.mean() < 5:
            continue
        count = cells[(unit, month)].sat
        volume = volume_spike(counts, season, count, national[month] / mean)
        tests.append(
            Test(
                level,
                unit,
                Kind.VOLUME,
                month,
                float(count),
                volume.p,
                volume.ratio,
                float(count),
                volume.expected,
            )
        )
    return tests


SHARES: dict[Kind, Callable[[Cell], tuple[int, int]]] = {
    Kind.HEAPING: lambda c: (c.above, c.sat),
    Kind.FAR: lambda c: (c.far, c.sat),
    Kind.SHARED_CONTACT: lambda c: (c.shared_phone, c.sat),
    Kind.OFF_DAY: lambda c: (c.off_days, c.sat),
}


def all_tests(
    rows: Sequence[MonthlyCounts],
    periods: Sequence[str],
    history: Callable[[str], list[str]],
    progress: Callable[[int, int], None] | None = None,
) -> list[Test]:
    """Every test of every level for each of ``periods``: months (``YYYY-MM``) and calendar
    years (``YYYY``, for units too small to test month by month). ``rows`` also cover the same
    periods a year before and each month's ``history`` (the months its volume is compared with).
    """
    tests: list[Test] = []
    steps, done = len(UnitType) * len(periods), 0
    for level in UnitType:
        for yearly in (False, True):
            cells, mix = roll_up(rows, level, yearly)
            for period in (p for p in periods if (len(p) == 4) == yearly):
                tests += _period_tests(level, period, cells, mix, history)
                done += 1
                if progress is not None:
                    progress(done, steps)
    return tests


def _period_tests(
    level: UnitType, period: str, cells: Cells, mix: Mix, history: Callable[[str], list[str]]
) -> list[Test]:
    tests = pass_rate_tests(level, period, mix, first=False)
    tests += pass_rate_tests(level, period, mix, first=True)
    tests += year_on_year_tests(level, period, cells)
    if len(period) == 7:  # a month: its volume against its own history
        tests += volume_tests(level, period, cells, history(period))
    tests += spread_tests(level, period, cells)
    for kind, part in SHARES.items():
        tests += share_tests(level, period, cells, kind, part)
    return tests
