"""Review windows, next due dates, renewal windows, return to work and reminder days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import FieldError
from opcert.domain.periods import add_years
from opcert.domain.reviews import (
    check_training_hours,
    extended_review_due,
    next_review_due,
    practical_exam_required,
    qualifies_for_extended_review,
    reminder_days,
    renewal_window,
    review_decision_due,
    review_window,
)
from opcert.domain.rules import MEM19, ORDER30, SWITCH_DATE
from opcert.domain.workdays import is_workday

days = st.dates(min_value=date(2010, 7, 1), max_value=date(2040, 12, 31))


@given(days)
def test_the_review_window_opens_60_days_before_the_due_date_and_closes_on_it(due: date) -> None:
    window = review_window(due)
    assert (due - window.opens).days == 60 and window.closes == due
    assert window.contains(due) and not window.contains(due + timedelta(days=1))
    assert not window.contains(window.opens - timedelta(days=1))


@given(days)
def test_the_next_review_is_never_on_or_after_the_end_of_validity_nor_the_switch(
    issued: date,
) -> None:
    due, valid_to = add_years(issued, 3), add_years(issued, 6)
    following = next_review_due(ORDER30, due, valid_to)
    assert following is None or (following < valid_to and following < SWITCH_DATE)
    assert next_review_due(MEM19, due, valid_to) is None


def test_ten_compliant_years_move_the_review_to_six_years_after_the_start() -> None:
    assert qualifies_for_extended_review(10, 0)
    assert not qualifies_for_extended_review(9, 0)
    assert not qualifies_for_extended_review(15, 1)
    assert extended_review_due(date(2020, 2, 29), ORDER30) == date(2026, 2, 28)
    assert extended_review_due(date(2027, 1, 1), MEM19) is None


def test_review_training_needs_eight_hours() -> None:
    check_training_hours(8)
    with pytest.raises(FieldError):
        check_training_hours(7.9)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 1)))
def test_a_review_decision_falls_on_a_working_day_at_least_20_working_days_on(day: date) -> None:
    due = review_decision_due(day)
    assert is_workday(due) and due >= day + timedelta(days=20)


def test_decision_deadlines_skip_spring_festival_and_national_day() -> None:
    assert review_decision_due(date(2025, 1, 9)) == date(2025, 2, 12)
    assert review_decision_due(date(2026, 2, 10)) == date(2026, 3, 16)
    assert review_decision_due(date(2025, 9, 26)) == date(2025, 10, 30)


@given(days)
def test_a_safety_manager_certificate_must_be_renewed_at_least_30_days_before_expiry(
    valid_to: date,
) -> None:
    sm, so = renewal_window("SM", valid_to), renewal_window("SO", valid_to)
    assert (valid_to - sm.closes).days == 30 and (sm.closes - sm.opens).days == 60
    assert so.closes == valid_to and (so.closes - so.opens).days == 60


def test_more_than_six_months_away_means_the_practical_exam_again() -> None:
    assert not practical_exam_required(date(2026, 1, 31), date(2026, 7, 31))
    assert practical_exam_required(date(2026, 1, 31), date(2026, 8, 1))
    assert not practical_exam_required(date(2025, 8, 31), date(2026, 2, 28))
    assert practical_exam_required(date(2025, 8, 31), date(2026, 3, 1))


def test_reminders_go_60_30_and_7_days_before_the_deadline() -> None:
    assert reminder_days(date(2029, 3, 10)) == [
        (60, date(2029, 1, 9)),
        (30, date(2029, 2, 8)),
        (7, date(2029, 3, 3)),
    ]
