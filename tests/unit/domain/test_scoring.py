import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.rules import MEM19, ORDER30
from opcert.domain.scoring import (
    NextStep,
    attempts_allowed,
    next_step_after_failure,
    next_step_message,
    score_exam,
    score_valid_until,
)


def test_80_in_both_parts_passes():
    outcome = score_exam(ORDER30, 80, 80)
    assert (outcome.passed, outcome.code) == (True, "PASSED")


def test_79_5_in_theory_fails_and_the_practical_score_is_not_looked_at():
    outcome = score_exam(MEM19, 79.5, 100)
    assert (outcome.passed, outcome.code) == (False, "THEORY_FAILED")
    assert "79.5" in outcome.message_zh
    assert score_exam(MEM19, 79.5, None).code == "THEORY_FAILED"


def test_a_failed_practical_after_a_passed_theory_is_a_practical_failure():
    outcome = score_exam(ORDER30, 95, 60)
    assert (outcome.passed, outcome.code) == (False, "PRACTICAL_FAILED")


def test_a_passed_theory_without_a_practical_score_is_not_yet_a_pass():
    outcome = score_exam(ORDER30, 90, None)
    assert (outcome.passed, outcome.code) == (False, "PRACTICAL_MISSING")


@pytest.mark.parametrize(
    ("theory", "practical"), [(-1, 80), (100.5, 80), (80, -0.1), (80, 101), (math.nan, 80)]
)
def test_scores_outside_0_to_100_are_a_programming_error(theory, practical):
    with pytest.raises(ValueError):
        score_exam(ORDER30, theory, practical)


@given(st.floats(0, 100), st.one_of(st.none(), st.floats(0, 100)))
def test_an_exam_passes_exactly_when_both_parts_reach_the_pass_mark(theory, practical):
    outcome = score_exam(MEM19, theory, practical)
    assert outcome.passed == (theory >= 80 and practical is not None and practical >= 80)
    assert outcome.message_zh
    assert outcome.message_en


def test_under_order_30_a_failed_first_theory_attempt_may_be_retaken_once():
    step = next_step_after_failure(ORDER30, failed_theory_attempts=1, failed_practical_attempts=0)
    assert step is NextStep.RETAKE_THEORY


def test_under_order_30_a_failed_theory_retake_means_retraining():
    step = next_step_after_failure(ORDER30, failed_theory_attempts=2, failed_practical_attempts=0)
    assert step is NextStep.RETRAIN


def test_under_order_30_a_failed_practical_may_be_retaken_once_then_retraining():
    first = next_step_after_failure(ORDER30, failed_theory_attempts=1, failed_practical_attempts=1)
    second = next_step_after_failure(ORDER30, failed_theory_attempts=0, failed_practical_attempts=2)
    assert (first, second) == (NextStep.RETAKE_PRACTICAL, NextStep.RETRAIN)


def test_under_mem_19_theory_may_be_retaken_without_limit():
    step = next_step_after_failure(MEM19, failed_theory_attempts=40, failed_practical_attempts=0)
    assert step is NextStep.RETAKE_THEORY


def test_under_mem_19_the_fifth_failed_practical_means_registering_again():
    fourth = next_step_after_failure(MEM19, failed_theory_attempts=3, failed_practical_attempts=4)
    fifth = next_step_after_failure(MEM19, failed_theory_attempts=3, failed_practical_attempts=5)
    assert (fourth, fifth) == (NextStep.RETAKE_PRACTICAL, NextStep.REREGISTER)


def test_asking_for_a_next_step_without_a_failure_is_a_programming_error():
    with pytest.raises(ValueError):
        next_step_after_failure(MEM19, failed_theory_attempts=0, failed_practical_attempts=0)
    with pytest.raises(ValueError):
        attempts_allowed(MEM19, failed_theory_attempts=-1, failed_practical_attempts=0)


@pytest.mark.parametrize(
    ("rules", "theory", "practical", "allowed"),
    [
        (ORDER30, 0, 0, True),
        (ORDER30, 1, 1, True),
        (ORDER30, 2, 0, False),
        (ORDER30, 0, 2, False),
        (MEM19, 99, 4, True),
        (MEM19, 0, 5, False),
    ],
)
def test_attempts_are_allowed_until_a_limit_is_reached(rules, theory, practical, allowed):
    result = attempts_allowed(
        rules, failed_theory_attempts=theory, failed_practical_attempts=practical
    )
    assert result is allowed


@given(
    st.sampled_from([ORDER30, MEM19]),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=50),
)
def test_a_retake_is_offered_exactly_when_attempts_are_allowed(rules, theory, practical):
    if theory == practical == 0:
        return
    step = next_step_after_failure(
        rules, failed_theory_attempts=theory, failed_practical_attempts=practical
    )
    allowed = attempts_allowed(
        rules, failed_theory_attempts=theory, failed_practical_attempts=practical
    )
    assert (step in {NextStep.RETAKE_THEORY, NextStep.RETAKE_PRACTICAL}) == allowed


def test_every_next_step_has_a_chinese_and_an_english_message():
    for step in NextStep:
        zh, en = next_step_message(step)
        assert zh
        assert en
    assert "培训" in next_step_message(NextStep.RETRAIN)[0]


def test_a_score_from_10_march_2026_is_usable_until_10_march_2027_inclusive():
    assert score_valid_until(date(2026, 3, 10)) == date(2027, 3, 10)


def test_a_score_from_29_february_2024_is_usable_until_28_february_2025():
    assert score_valid_until(date(2024, 2, 29)) == date(2025, 2, 28)
