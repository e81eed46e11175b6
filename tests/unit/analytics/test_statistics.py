"""The signal statistics: calibrated on data with nothing to find, sharp on a planted anomaly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from opcert.services.analytics.statistics import (
    Direction,
    log_odds_ratios,
    overdispersed,
    q_values,
    share_variance,
    standardised_ratios,
    volume_spike,
)

ITEMS = {"ELE-LV": 0.82, "WLD-FU": 0.64, "HGT-BU": 0.90}


def exam_points(rng: np.random.Generator, count: int, spread: float = 0.0):
    """Rows (unit, item, sat, passed) of exam points that each examine a random mix of items,
    each unit's true pass rate moved by a random amount of sd ``spread`` on the logit scale."""
    rows = []
    for unit in range(count):
        shift = rng.normal(0, spread)
        for item, rate in ITEMS.items():
            if rng.random() < 0.3:
                continue
            sat = int(rng.integers(20, 400))
            logit = np.log(rate / (1 - rate)) + shift
            rows.append(
                (f"EP{unit:04d}", item, sat, int(rng.binomial(sat, 1 / (1 + np.exp(-logit)))))
            )
    return rows


def funnel_of(rows):
    units, items, sat, passed = zip(*rows, strict=True)
    ids, ratios = standardised_ratios(units, items, sat, passed)
    return ids, overdispersed(ratios.ratio, ratios.variance, target=1.0)


def test_with_nothing_to_find_the_pass_rate_p_values_are_uniform():
    ids, funnel = funnel_of(exam_points(np.random.default_rng(7), 600))
    assert stats.kstest(funnel.p, "uniform").pvalue > 0.01
    assert 0.02 < np.mean(funnel.p < 0.05) < 0.08


def test_exam_points_that_differ_more_than_chance_do_not_drown_officers_in_false_alarms():
    rows = exam_points(np.random.default_rng(11), 600, spread=0.35)
    units, items, sat, passed = zip(*rows, strict=True)
    _, ratios = standardised_ratios(units, items, sat, passed)
    naive = overdispersed(ratios.ratio, ratios.variance, target=1.0)
    naive_p = stats.norm.sf((ratios.ratio - 1) / np.sqrt(ratios.variance))
    assert naive.phi > 1.5 and naive.tau2 > 0
    # Without the correction, one point in six is "significant" at 1 %; with it, about 1 %.
    assert np.mean(naive_p < 0.01) > 0.08
    assert np.mean(naive.p < 0.01) < 0.03


def test_an_exam_point_passing_nearly_everyone_stands_out_among_six_hundred():
    rng = np.random.default_rng(3)
    rows = exam_points(rng, 600, spread=0.2)
    rows += [("EP-FRAUD", "WLD-FU", 300, 291), ("EP-FRAUD", "ELE-LV", 200, 199)]
    ids, funnel = funnel_of(rows)
    q = q_values(funnel.p)
    fraud = list(ids).index("EP-FRAUD")
    assert q[fraud] < 0.001
    assert np.sum(q < 0.1) <= 1 + 0.1 * 600 * 0.05  # hardly anything else


def test_an_exam_point_that_only_examines_hard_items_is_not_flagged_for_its_low_raw_rate():
    rng = np.random.default_rng(5)
    rows = exam_points(rng, 300)
    rows.append(("EP-WELD", "WLD-FU", 400, int(400 * ITEMS["WLD-FU"])))
    ids, funnel = funnel_of(rows)
    assert funnel.p[list(ids).index("EP-WELD")] > 0.2


def test_the_funnel_limits_widen_for_small_units_and_hold_the_target_in_the_middle():
    funnel = overdispersed([1.0, 1.1, 0.9, 1.05], [0.01, 0.02, 0.01, 0.04], target=1.0)
    low, high = funnel.limits([0.001, 0.1], 1.96)
    assert high[1] - low[1] > high[0] - low[0]
    assert np.allclose((low + high) / 2, 1.0)


def test_too_little_spread_is_suspicious_when_the_direction_is_low():
    rng = np.random.default_rng(9)
    sizes = rng.integers(30, 200, 80)
    # The practical scores' variance at 80 ordinary exam points, and one where all score alike.
    variances = [np.var(rng.normal(85, 8, n), ddof=1) for n in sizes] + [9.0]
    sizes = np.append(sizes, 60)
    funnel = overdispersed(np.log(variances), 2 / (sizes - 1), direction=Direction.LOW)
    assert funnel.p[-1] < 1e-6
    assert funnel.p[:-1].min() > 1e-3


def test_a_rise_in_pass_rate_is_measured_against_the_same_period_a_year_before():
    odds = log_odds_ratios([95, 60], [100, 100], [60, 60], [100, 100])
    assert odds.log_or[0] > 2 and abs(odds.log_or[1]) < 1e-9
    assert np.all(odds.variance > 0)
    assert np.isfinite(log_odds_ratios([100], [100], [0], [100]).log_or).all()


def test_a_month_five_times_the_usual_volume_is_a_spike_and_an_ordinary_month_is_not():
    rng = np.random.default_rng(2)
    season = np.array([0.6, 0.8, 1.1, 1.2, 1.1, 1.0, 0.9, 1.0, 1.1, 1.2, 1.1, 0.9] * 2)
    history = rng.negative_binomial(20, 20 / (20 + 40 * season))
    spike = volume_spike(history, season, 200, 1.0)
    ordinary = volume_spike(history, season, 45, 1.0)
    assert spike.p < 1e-6 and spike.ratio > 4
    assert ordinary.p > 0.05
    # In a quiet month the same count is more surprising.
    assert volume_spike(history, season, 60, 0.6).p < volume_spike(history, season, 60, 1.2).p


def test_a_volume_history_shorter_than_six_months_is_refused_by_name():
    with pytest.raises(ValueError, match="history"):
        volume_spike([1, 2, 3], [1, 1, 1], 5, 1.0)


def test_bad_variances_and_counts_are_refused_by_name():
    with pytest.raises(ValueError, match="variances"):
        overdispersed([1.0, 2.0], [0.1, 0.0])
    with pytest.raises(ValueError, match="successes"):
        standardised_ratios(["a"], ["x"], [10], [11])
    with pytest.raises(ValueError, match="pooled"):
        share_variance([10], 1.0)


def test_q_values_of_benjamini_hochberg_match_the_textbook_example():
    p = [0.01, 0.04, 0.03, 0.005]
    assert np.allclose(q_values(p), [0.02, 0.04, 0.04, 0.02])
    assert q_values([]).size == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-5, 5), st.floats(0.001, 10)), min_size=1, max_size=40),
    st.randoms(use_true_random=False),
)
def test_the_comparison_does_not_depend_on_the_order_of_the_units(pairs, rnd):
    values, variances = map(np.array, zip(*pairs, strict=True))
    funnel = overdispersed(values, variances)
    order = list(range(len(pairs)))
    rnd.shuffle(order)
    shuffled = overdispersed(values[order], variances[order])
    assert np.allclose(shuffled.p, funnel.p[order], atol=1e-9)
    assert np.all((funnel.p >= 0) & (funnel.p <= 1))


def test_two_rare_events_where_a_third_was_expected_are_judged_by_the_exact_tail():
    from opcert.services.analytics.statistics import share_tail

    exact = share_tail([2], [600], 0.0005, 0.0)
    assert 0.03 < exact[0] < 0.04  # the normal approximation would say 0.001
    wider = share_tail([2], [600], 0.0005, 1e-6)
    assert wider[0] > exact[0]
    assert share_tail([0], [600], 0.0005, 0.0)[0] == 1.0
