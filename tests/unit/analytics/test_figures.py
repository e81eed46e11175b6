"""The figures behind the analytics page and the reminder letters: the funnel and the series agree
with the tests, point for point."""

from __future__ import annotations

import itertools

import numpy as np

from opcert.persistence.repositories.analytics import MonthlyCounts
from opcert.services.analytics.figures import control_limits, pass_rate_funnel, unit_series
from opcert.services.analytics.signals import UnitType, pass_rate_tests, roll_up


def row(point: str, item: str, month: str, sat: int, passed: int, region: str = "440400"):
    return MonthlyCounts(
        exam_point=point, institution="I-" + point, region=region, item=item, month=month,
        sat=sat, passed=passed, first_sat=sat, first_passed=passed, below=0, above=0,
        practical_n=0, practical_sum=0.0, practical_squares=0.0, practical_cubes=0.0,
        practical_fourths=0.0, far=0, off_days=0, shared_phone=0,
    )  # fmt: skip


def peers(rng: np.random.Generator, count: int = 40, month: str = "2026-10"):
    rows = []
    for n in range(count):
        for item, rate in (("ELE-LV", 0.8), ("WLD-FU", 0.6)):
            sat = int(rng.integers(30, 200))
            rows.append(row(f"EP{n:03d}", item, month, sat, int(rng.binomial(sat, rate))))
    return rows


def test_the_funnel_points_are_the_pass_rate_tests_of_the_same_month():
    rows = peers(np.random.default_rng(3))
    rows.append(row("EP999", "ELE-LV", "2026-10", 200, 200))
    funnel = pass_rate_funnel(rows, UnitType.EXAM_POINT, "2026-10")
    assert funnel is not None
    _, mix = roll_up(rows, UnitType.EXAM_POINT, yearly=False)
    tests = {t.unit: t for t in pass_rate_tests(UnitType.EXAM_POINT, "2026-10", mix, False)}
    assert {p.unit for p in funnel.points} == set(tests)
    for point in funnel.points:
        assert point.z == tests[point.unit].statistic
        assert point.ratio == tests[point.unit].effect
    # the strongest first: the exam point that passes everyone
    assert funnel.points[0].unit == "EP999"
    outer = next(x for x in funnel.limits if x.expected >= funnel.points[0].expected)
    assert funnel.points[0].ratio > outer.outer_high


def test_a_unit_below_the_minimum_is_counted_not_drawn():
    rows = peers(np.random.default_rng(4))
    rows.append(row("EP-SMALL", "ELE-LV", "2026-10", 5, 5))
    funnel = pass_rate_funnel(rows, UnitType.EXAM_POINT, "2026-10")
    assert funnel is not None
    assert "EP-SMALL" not in {p.unit for p in funnel.points}
    assert funnel.untested == 1


def test_a_period_with_fewer_than_three_units_has_no_funnel():
    rows = peers(np.random.default_rng(5), count=2)
    assert pass_rate_funnel(rows, UnitType.EXAM_POINT, "2026-10") is None
    assert pass_rate_funnel(peers(np.random.default_rng(5)), UnitType.EXAM_POINT, "2026-09") is None


def test_a_year_funnel_sums_the_months_of_the_year():
    rng = np.random.default_rng(6)
    rows = peers(rng, month="2026-03") + peers(rng, month="2026-04")
    funnel = pass_rate_funnel(rows, UnitType.PROVINCE, "2026")
    assert funnel is None  # one province: no peers to compare with
    year = pass_rate_funnel(rows, UnitType.EXAM_POINT, "2026")
    assert year is not None
    first = next(p for p in year.points if p.unit == "EP000")
    assert first.sat == sum(r.sat for r in rows if r.exam_point == "EP000")


def test_the_control_limits_narrow_as_the_expected_count_grows_and_hold_one_in_the_middle():
    limits = control_limits([5.0, 50.0, 5000.0], tau2=0.0)
    widths = [x.outer_high - x.outer_low for x in limits]
    assert all(a >= b for a, b in itertools.pairwise(widths))
    for x in limits:
        assert x.outer_low <= x.inner_low <= 1 <= x.inner_high <= x.outer_high
    # the overdispersion keeps the limits from closing on large units
    wide = control_limits([5.0, 5000.0], tau2=0.01)
    assert wide[-1].outer_high - wide[-1].outer_low > 2 * 3.09 * 0.1 - 1e-9


def test_a_unit_series_has_every_month_asked_for_even_the_empty_ones():
    rows = peers(np.random.default_rng(8), count=3, month="2026-10")
    series = unit_series(rows, UnitType.EXAM_POINT, "EP001", ["2026-09", "2026-10"])
    assert [m.month for m in series] == ["2026-09", "2026-10"]
    assert series[0].sat == 0 and series[0].pass_rate is None
    assert series[1].sat == sum(r.sat for r in rows if r.exam_point == "EP001")
