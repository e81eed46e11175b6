from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.periods import add_months, add_years

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def test_six_years_from_20_november_2026_is_20_november_2032():
    assert add_years(date(2026, 11, 20), 6) == date(2032, 11, 20)


def test_29_february_becomes_28_february_in_a_common_year():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_a_month_after_31_january_is_the_end_of_february():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_months_may_be_negative_and_cross_years():
    assert add_months(date(2026, 1, 15), -2) == date(2025, 11, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_a_result_beyond_year_9999_overflows():
    with pytest.raises(OverflowError):
        add_years(date(9999, 1, 1), 1)


@given(DATES, st.integers(min_value=-100, max_value=100))
def test_add_years_lands_on_the_same_month_and_day_or_28_february(d, years):
    result = add_years(d, years)
    assert result.year == d.year + years
    if (d.month, d.day) == (2, 29) and (result.month, result.day) != (2, 29):
        assert (result.month, result.day) == (2, 28)
    else:
        assert (result.month, result.day) == (d.month, d.day)


@given(DATES, st.integers(min_value=-1200, max_value=1200))
def test_add_months_moves_exactly_that_many_months_and_never_past_the_day(d, months):
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day <= d.day
    if result.day < d.day:
        # Clamped: the result is the last day of its month.
        assert (result + timedelta(days=1)).day == 1


@given(DATES, DATES, st.integers(min_value=0, max_value=100))
def test_add_years_keeps_the_order_of_dates(a, b, years):
    low, high = sorted((a, b))
    assert add_years(low, years) <= add_years(high, years)
