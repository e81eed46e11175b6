"""The statistics behind the exam-data signals (issue 16): each test gives a statistic, a
one-sided p-value and an effect size, from scipy's distributions; false discoveries across a
run are controlled by Benjamini–Hochberg (statsmodels).

Most tests are one shape: a value per unit (a standardised pass ratio, a share, a log odds
ratio, a log variance), its sampling variance, and a target the unit is compared with. Real
units differ by more than sampling error (exam points teach different trades, to different
people), so the z-scores are corrected for overdispersion the way Spiegelhalter (2005, "Funnel
plots for comparing institutional performance", Statistics in Medicine 24:1185) proposes:
winsorise the z-scores at 10 % each side, estimate the dispersion from them (divided by the
winsorised normal's mean square, so that it reads 1 under pure chance), and when it is above
what chance gives, add a between-unit variance τ² (an additive random effect, his
eq. 11–13) to every unit's variance. The funnel's control limits use the same τ².

The volume test alone is different: a unit's monthly count against its own history, as a
negative binomial whose mean follows the national seasonal pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from statsmodels.stats.multitest import multipletests

Floats = NDArray[np.float64]
WINSOR = 0.10  # Spiegelhalter's 10 % each side
# The mean square of a standard normal winsorised at 10 % each side (0.679): dividing by it makes
# phi consistent, 1 when units differ by chance alone. Without it the winsorised phi reads 0.68
# under pure chance, so real overdispersion is underestimated and false alarms triple (test).
# In closed form, with c the upper WINSOR point: E[Z²; |Z| < c] + c²·P(|Z| ≥ c)
# = (1 - 2·WINSOR) - 2·c·φ(c) + 2·WINSOR·c² (a numerical integral at import cost 0.3 s).
_C = float(stats.norm.isf(WINSOR))
_WINSORISED_NORMAL = (1 - 2 * WINSOR) - 2 * _C * float(stats.norm.pdf(_C)) + 2 * WINSOR * _C**2


class Direction(StrEnum):
    """Which side of the target is suspicious."""

    HIGH = "high"  # a pass rate, a share of far candidates, of heaped scores
    LOW = "low"  # the spread of practical scores


@dataclass(frozen=True)
class Funnel:
    """The outcome of one overdispersed comparison of units with a target."""

    target: float
    phi: float  # the dispersion of the winsorised z-scores (1 = no more than chance)
    tau2: float  # the added between-unit variance (0 when phi shows no overdispersion)
    z: Floats  # each unit's overdispersion-corrected z-score
    p: Floats  # each unit's one-sided p-value in the suspicious direction

    def limits(self, variance: ArrayLike, z: float) -> tuple[Floats, Floats]:
        """The funnel's control limits at ``z`` for units of sampling ``variance``."""
        half = z * np.sqrt(np.asarray(variance, dtype=float) + self.tau2)
        return self.target - half, self.target + half


def overdispersed(
    values: ArrayLike,
    variances: ArrayLike,
    target: float | None = None,
    direction: Direction = Direction.HIGH,
) -> Funnel:
    """Compare each unit's value with ``target`` (the precision-weighted mean when None).

    ``variances`` are the values' sampling variances (all > 0). Needs at least three units to
    estimate the dispersion; with fewer, no random effect is added.
    """
    y = np.asarray(values, dtype=float)
    s2 = np.asarray(variances, dtype=float)
    if y.shape != s2.shape or y.ndim != 1:
        raise ValueError("values and variances: one number per unit")
    if np.any(~np.isfinite(s2)) or np.any(s2 <= 0):
        raise ValueError("variances: every unit needs a positive, finite variance")
    weights = 1.0 / s2
    centre = float(np.sum(weights * y) / np.sum(weights)) if target is None else float(target)
    z = (y - centre) / np.sqrt(s2)
    count = y.size
    phi, tau2 = 1.0, 0.0
    if count >= 3:
        low, high = np.quantile(z, [WINSOR, 1 - WINSOR])
        phi = float(np.mean(np.clip(z, low, high) ** 2)) / _WINSORISED_NORMAL
        if count * phi > count - 1:
            spread = np.sum(weights) - np.sum(weights**2) / np.sum(weights)
            tau2 = max(0.0, (count * phi - (count - 1)) / spread)
    corrected = (y - centre) / np.sqrt(s2 + tau2)
    side = stats.norm.sf if direction is Direction.HIGH else stats.norm.cdf
    return Funnel(centre, phi, tau2, corrected, np.asarray(side(corrected), dtype=float))


@dataclass(frozen=True)
class Ratios:
    """Indirectly standardised ratios: observed over expected, with their variances."""

    observed: Floats
    expected: Floats
    ratio: Floats
    variance: Floats


def standardised_ratios(
    units: ArrayLike, strata: ArrayLike, trials: ArrayLike, successes: ArrayLike
) -> tuple[NDArray[np.object_], Ratios]:
    """Each unit's successes against what the strata's pooled rates predict for its mix.

    The rows are (unit, stratum, trials, successes); a stratum is, for pass rates, the item
    (welding passes less often than low-voltage electrics), so a unit that examines hard items
    is not flagged for a low rate nor an easy one for a high rate. The ratio's variance is the
    binomial variance of the observed count divided by the expected count squared.
    """
    unit = np.asarray(units, dtype=object)
    stratum = np.asarray(strata, dtype=object)
    n = np.asarray(trials, dtype=float)
    k = np.asarray(successes, dtype=float)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise ValueError("trials and successes: 0 <= successes <= trials, trials > 0")
    names, index = np.unique(stratum.astype(str), return_inverse=True)
    rate = np.bincount(index, k, len(names)) / np.bincount(index, n, len(names))
    # A stratum where everyone passes (or no one does) carries no information about units.
    var_row = n * rate[index] * (1 - rate[index])
    ids, row_unit = np.unique(unit.astype(str), return_inverse=True)
    observed = np.bincount(row_unit, k, len(ids)).astype(float)
    expected = np.bincount(row_unit, n * rate[index], len(ids)).astype(float)
    variance = np.bincount(row_unit, var_row, len(ids)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = observed / expected
        ratio_var = variance / expected**2
    return ids.astype(object), Ratios(observed, expected, ratio, ratio_var)


def share_variance(trials: ArrayLike, pooled: float) -> Floats:
    """The binomial sampling variance of each unit's share, at the pooled rate (0 < pooled < 1)."""
    if not 0 < pooled < 1:
        raise ValueError("pooled: a share strictly between 0 and 1")
    n = np.asarray(trials, dtype=float)
    return np.asarray(pooled * (1 - pooled) / n, dtype=float)


def share_tail(successes: ArrayLike, trials: ArrayLike, pooled: float, tau2: float) -> Floats:
    """Exact upper-tail p-values of counts against a pooled share: binomial when the units do
    not differ beyond chance (``tau2`` 0), else beta-binomial, the true shares spread around
    ``pooled`` with variance ``tau2``. The normal approximation behind the funnel's z fails for
    rare events (two far-away candidates where 0.3 were expected: z = 3.1, p = 0.001; the exact
    tail is 0.037), and rare events are what several signals count."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    concentration = pooled * (1 - pooled) / tau2 - 1 if tau2 > 0 else np.inf
    if not np.isfinite(concentration) or concentration <= 0:
        return np.asarray(stats.binom.sf(k - 1, n, pooled), dtype=float)
    a, b = pooled * concentration, (1 - pooled) * concentration
    return np.asarray(stats.betabinom.sf(k - 1, n, a, b), dtype=float)


@dataclass(frozen=True)
class OddsRatios:
    log_or: Floats
    variance: Floats


def log_odds_ratios(
    passed_now: ArrayLike, total_now: ArrayLike, passed_before: ArrayLike, total_before: ArrayLike
) -> OddsRatios:
    """Each unit's log odds ratio of passing, this period against the same one a year before,
    with Woolf's variance (Haldane's 0.5 added to every cell, so empty cells stay finite)."""
    a = np.asarray(passed_now, dtype=float) + 0.5
    b = np.asarray(total_now, dtype=float) - np.asarray(passed_now, dtype=float) + 0.5
    c = np.asarray(passed_before, dtype=float) + 0.5
    d = np.asarray(total_before, dtype=float) - np.asarray(passed_before, dtype=float) + 0.5
    if np.any(b <= 0) or np.any(d <= 0):
        raise ValueError("passed cannot exceed total")
    return OddsRatios(np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d)


@dataclass(frozen=True)
class Volume:
    expected: float
    dispersion: float  # the negative binomial's alpha: variance = mu + alpha * mu**2
    p: float
    ratio: float


def volume_spike(history: ArrayLike, seasonal: ArrayLike, count: int, season_now: float) -> Volume:
    """A month's ``count`` against the unit's own ``history`` of monthly counts.

    ``seasonal`` is the national seasonal index of each history month (that month's national
    count over the mean national month), ``season_now`` the index of the month tested: the
    expectation is the unit's deseasonalised mean times ``season_now``. The dispersion is the
    method-of-moments alpha of the history around its seasonal expectation (at least 0.05, so a
    unit with a flat history does not make every wobble a spike). One-sided upper p-value.
    """
    h = np.asarray(history, dtype=float)
    s = np.asarray(seasonal, dtype=float)
    if h.size < 6 or h.shape != s.shape or np.any(s <= 0):
        raise ValueError("history: at least 6 months, each with a positive seasonal index")
    level = float(np.sum(h) / np.sum(s))
    mu_hist = level * s
    mu = max(level * float(season_now), 0.5)
    excess = np.sum((h - mu_hist) ** 2 - mu_hist) / max(float(np.sum(mu_hist**2)), 1e-9)
    alpha = max(float(excess), 0.05)
    size = 1.0 / alpha
    p = float(stats.nbinom.sf(count - 1, size, size / (size + mu)))
    return Volume(mu, alpha, p, count / mu)


def q_values(p_values: ArrayLike) -> Floats:
    """Benjamini–Hochberg q-values of all the tests of one run."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return np.asarray(multipletests(p, method="fdr_bh")[1], dtype=float)
