from datetime import date

import pytest

from opcert.domain.catalogue import catalogue
from opcert.domain.errors import NotFound
from opcert.domain.rules import (
    MEM19,
    ORDER30,
    SWITCH_DATE,
    Education,
    RuleSetId,
    rule_set,
    rule_set_for,
)


def test_order_30_applies_up_to_and_including_31_may_2026():
    assert rule_set_for(date(2026, 5, 31)) is ORDER30
    assert rule_set_for(date(2015, 1, 1)) is ORDER30


def test_mem_order_19_applies_from_1_june_2026():
    assert date(2026, 6, 1) == SWITCH_DATE
    assert rule_set_for(date(2026, 6, 1)) is MEM19
    assert rule_set_for(date(2040, 1, 1)) is MEM19


def test_dates_before_order_30_fall_back_to_order_30():
    assert rule_set_for(date(2005, 1, 1)) is ORDER30
    assert not ORDER30.in_force_on(date(2005, 1, 1))


def test_each_rule_set_is_in_force_exactly_on_its_own_dates():
    for day in (date(2010, 7, 1), date(2026, 5, 31), date(2026, 6, 1), date(2030, 1, 1)):
        assert rule_set_for(day).in_force_on(day)
    assert not ORDER30.in_force_on(SWITCH_DATE)
    assert not MEM19.in_force_on(date(2026, 5, 31))


def test_rule_sets_are_found_by_identifier_as_text_or_enum():
    assert rule_set("ORDER30") is ORDER30
    assert rule_set(RuleSetId.MEM19) is MEM19


def test_an_unknown_rule_set_is_not_found():
    with pytest.raises(NotFound) as caught:
        rule_set("ORDER31")
    assert caught.value.code == "RULE_SET_UNKNOWN"


def test_order_30_allows_one_retake_per_part_then_retraining_and_reviews_every_3_years():
    assert (ORDER30.max_theory_attempts, ORDER30.max_practical_attempts) == (2, 2)
    assert ORDER30.after_attempts_exhausted == "retrain"
    assert (ORDER30.review_interval_years, ORDER30.extended_review_interval_years) == (3, 6)


def test_mem_19_has_unlimited_theory_5_practical_attempts_and_no_review():
    assert (MEM19.max_theory_attempts, MEM19.max_practical_attempts) == (None, 5)
    assert MEM19.after_attempts_exhausted == "reregister"
    assert MEM19.review_interval_years is None
    assert MEM19.extended_review_interval_years is None


def test_both_rule_sets_share_the_common_parameters():
    for rules in (ORDER30, MEM19):
        assert rules.pass_mark == 80
        assert rules.score_validity_months == 12
        assert rules.validity_years == 6
        assert rules.revocation_ban_years == 3
        assert rules.acceptance_deadline_workdays == 5
        assert rules.decision_deadline_workdays == 20


@pytest.mark.parametrize(
    ("item", "order30", "mem19"),
    [
        ("1.2", Education.JUNIOR_HIGH, Education.NONE),
        ("2.1", Education.JUNIOR_HIGH, Education.NONE),
        ("3.1", Education.JUNIOR_HIGH, Education.NONE),
        ("4.1", Education.JUNIOR_HIGH, Education.JUNIOR_HIGH),
        ("5.4", Education.SENIOR_HIGH, Education.SENIOR_HIGH),
        ("9.3", Education.SENIOR_HIGH, Education.SENIOR_HIGH),
        ("10.1", Education.JUNIOR_HIGH, Education.JUNIOR_HIGH),
    ],
)
def test_required_education_by_item_and_rule_set(item, order30, mem19):
    assert ORDER30.required_education(item) is order30
    assert MEM19.required_education(item) is mem19


def test_every_catalogue_item_has_an_education_requirement_under_both_rule_sets():
    for item in catalogue().items:
        assert MEM19.required_education(item.code) <= ORDER30.required_education(item.code)


@pytest.mark.parametrize("code", ["9", "", "a.b", "1.2.3"])
def test_a_string_that_is_not_an_item_code_is_a_programming_error(code):
    with pytest.raises(ValueError):
        ORDER30.required_education(code)
