from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.workdays import (
    add_workdays,
    calendar_is_authoritative,
    holiday_name,
    is_provisional,
    is_workday,
    workdays_between,
)


def test_the_2026_calendar_agrees_with_chinese_calendar_on_every_day():
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_spring_festival_2026_runs_from_15_to_23_february_with_saturday_14_worked():
    assert is_workday(date(2026, 2, 13))
    assert is_workday(date(2026, 2, 14))  # Saturday, adjusted working day
    assert not any(is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert is_workday(date(2026, 2, 24))
    assert is_workday(date(2026, 2, 28))  # Saturday, adjusted working day


def test_holidays_have_chinese_names_and_adjusted_working_days_have_none():
    assert holiday_name(date(2026, 2, 17)) == "春节"
    assert holiday_name(date(2026, 2, 14)) is None
    assert holiday_name(date(2026, 10, 1)) == "国庆节"
    assert holiday_name(date(2026, 1, 1)) == "元旦"
    assert holiday_name(date(2026, 10, 11)) is None  # an ordinary Sunday
    assert holiday_name(date(2026, 3, 4)) is None


def test_the_first_working_day_after_friday_13_february_2026_is_the_adjusted_saturday():
    assert add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_the_first_working_day_after_14_february_2026_is_24_february():
    assert add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_five_working_days_from_12_february_2026_end_on_26_february():
    assert add_workdays(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_twenty_working_days_from_the_eve_of_spring_festival_2026():
    # 14 Feb (Sat, worked) + 24-27 Feb + 28 Feb (Sat, worked) = 6; then March.
    assert add_workdays(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert add_workdays(date(2026, 2, 13), 20) == date(2026, 3, 19)


def test_national_day_2026_runs_from_1_to_7_october_and_saturday_10_october_is_worked():
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 10)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 12)) == 4


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert add_workdays(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert add_workdays(date(2026, 2, 15), 0) == date(2026, 2, 24)


def test_a_negative_number_of_working_days_is_a_programming_error():
    with pytest.raises(ValueError):
        add_workdays(date(2026, 2, 13), -1)


def test_working_days_between_count_the_end_but_not_the_start():
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert workdays_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_years_without_published_schedules_use_the_provisional_calendar():
    assert calendar_is_authoritative(date(2026, 12, 31))
    assert not calendar_is_authoritative(date(2027, 1, 1))
    assert not calendar_is_authoritative(date(2003, 12, 31))
    assert not is_workday(date(2027, 1, 1))  # Friday, New Year's Day
    assert holiday_name(date(2027, 1, 1)) == "元旦"
    assert not is_workday(date(2027, 5, 1))
    assert holiday_name(date(2027, 5, 2)) == "劳动节"
    assert not is_workday(date(2027, 10, 1))  # Friday
    assert is_workday(date(2027, 10, 4))  # Monday: the real swap is not yet known
    assert not is_workday(date(2027, 1, 2))  # Saturday
    assert is_workday(date(2027, 1, 4))


def test_a_span_reaching_past_the_known_calendar_is_provisional():
    assert not is_provisional(date(2026, 12, 1), date(2026, 12, 31))
    assert is_provisional(date(2026, 12, 20), date(2027, 1, 10))
    assert is_provisional(date(2027, 1, 10), date(2026, 12, 20))


def test_a_deadline_across_new_year_2027_is_counted_with_the_provisional_calendar():
    # 31 Dec 2026 is Thursday; 1 Jan 2027 (Fri) is New Year's Day.
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@given(DAYS, st.integers(min_value=0, max_value=40))
def test_adding_working_days_lands_on_a_working_day(start, n):
    assert is_workday(add_workdays(start, n))


@given(DAYS, st.integers(min_value=1, max_value=40))
def test_counting_back_the_working_days_added_gives_the_same_number(start, n):
    assert workdays_between(start, add_workdays(start, n)) == n


@given(DAYS, DAYS)
def test_working_days_between_is_antisymmetric(a, b):
    assert workdays_between(a, b) == -workdays_between(b, a)
