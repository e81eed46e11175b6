"""Which working-day deadlines are provisional: those that reach past the official holiday
calendar, where Spring Festival and the other lunar holidays are not known."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.workdays import (
    add_workdays,
    deadline_is_provisional,
    is_workday,
    last_calendar_year,
)

# 春节 (the first day of the first lunar month), for the years after the calendar the platform
# ships today; the State Council publishes each year's schedule in the December before.
SPRING_FESTIVAL = {
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}


def first_uncovered_spring_festival() -> date:
    """Spring Festival of the first year the installed holiday calendar does not cover."""
    return SPRING_FESTIVAL[last_calendar_year() + 1]


def test_a_decision_deadline_filed_before_spring_festival_of_the_first_uncovered_year_is_provisional():
    festival = first_uncovered_spring_festival()
    filed = festival - timedelta(days=7)
    due = add_workdays(filed, 20)
    # The provisional calendar counts the festival's weekdays as working days: it cannot know
    # them, so the deadline comes out early and must say so.
    festival_weekdays = [
        festival + timedelta(days=n)
        for n in range(7)
        if (festival + timedelta(days=n)).weekday() < 5
    ]
    assert festival_weekdays and all(is_workday(day) for day in festival_weekdays)
    assert deadline_is_provisional(filed, due)


def test_a_deadline_that_starts_in_the_last_covered_december_and_ends_in_january_is_provisional():
    year = last_calendar_year()
    filed = date(year, 12, 15)
    assert deadline_is_provisional(filed, add_workdays(filed, 20))


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(last_calendar_year(), 12, 31)))
def test_a_deadline_is_provisional_exactly_when_it_ends_past_the_published_calendar(filed):
    due = add_workdays(filed, 20)
    assert deadline_is_provisional(filed, due) == (due.year > last_calendar_year())
