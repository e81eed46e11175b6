from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.identity import Sex
from opcert.domain.retirement import (
    RetirementGroup,
    age_on,
    check_working_age,
    default_group,
    retirement_age_months,
    retirement_date,
)

MALE_60 = RetirementGroup.MALE_60
FEMALE_55 = RetirementGroup.FEMALE_55
FEMALE_50 = RetirementGroup.FEMALE_50


def years_months(months: int) -> tuple[int, int]:
    return divmod(months, 12)


def test_a_man_born_in_december_1964_retires_at_60():
    assert retirement_date(date(1964, 12, 31), MALE_60) == date(2024, 12, 31)


def test_a_man_born_in_january_1965_retires_at_60_years_and_1_month():
    assert retirement_date(date(1965, 1, 10), MALE_60) == date(2025, 2, 10)


def test_a_man_born_in_may_1965_retires_at_60_years_and_2_months():
    assert years_months(retirement_age_months(date(1965, 5, 15), MALE_60)) == (60, 2)
    assert retirement_date(date(1965, 5, 15), MALE_60) == date(2025, 7, 15)


def test_a_man_born_on_31_january_1965_retires_at_the_end_of_february_2025():
    assert retirement_date(date(1965, 1, 31), MALE_60) == date(2025, 2, 28)


def test_men_born_from_september_1976_retire_at_63():
    assert years_months(retirement_age_months(date(1976, 8, 31), MALE_60)) == (62, 11)
    assert retirement_date(date(1976, 9, 1), MALE_60) == date(2039, 9, 1)
    assert retirement_date(date(1990, 6, 15), MALE_60) == date(2053, 6, 15)


def test_women_with_original_age_55_move_from_55_to_58_by_4_month_steps_from_1970():
    assert retirement_date(date(1969, 12, 5), FEMALE_55) == date(2024, 12, 5)
    assert retirement_date(date(1970, 1, 5), FEMALE_55) == date(2025, 2, 5)
    assert years_months(retirement_age_months(date(1970, 5, 5), FEMALE_55)) == (55, 2)
    assert years_months(retirement_age_months(date(1981, 8, 5), FEMALE_55)) == (57, 11)
    assert years_months(retirement_age_months(date(1981, 9, 5), FEMALE_55)) == (58, 0)


def test_women_with_original_age_50_move_from_50_to_55_by_2_month_steps_from_1975():
    assert retirement_date(date(1974, 12, 20), FEMALE_50) == date(2024, 12, 20)
    assert retirement_date(date(1975, 1, 20), FEMALE_50) == date(2025, 2, 20)
    assert years_months(retirement_age_months(date(1975, 3, 20), FEMALE_50)) == (50, 2)
    assert years_months(retirement_age_months(date(1984, 10, 20), FEMALE_50)) == (54, 11)
    assert years_months(retirement_age_months(date(1984, 11, 20), FEMALE_50)) == (55, 0)
    assert retirement_date(date(2000, 1, 1), FEMALE_50) == date(2055, 1, 1)


@pytest.mark.parametrize(
    ("sex", "certificate_type", "group"),
    [
        (Sex.MALE, "SO", MALE_60),
        (Sex.MALE, "SM", MALE_60),
        (Sex.FEMALE, "SO", FEMALE_50),
        (Sex.FEMALE, "SM", FEMALE_55),
    ],
)
def test_the_default_group_follows_sex_and_certificate_type(sex, certificate_type, group):
    assert default_group(sex, certificate_type) is group


def test_an_unknown_certificate_type_has_no_default_group():
    with pytest.raises(ValueError):
        default_group(Sex.FEMALE, "XX")


def test_age_counts_completed_years():
    assert age_on(date(1990, 3, 7), date(2026, 3, 6)) == 35
    assert age_on(date(1990, 3, 7), date(2026, 3, 7)) == 36


def test_someone_born_on_29_february_turns_a_year_older_on_1_march_in_a_common_year():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20


def test_age_before_birth_is_a_programming_error():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


def test_a_17_year_old_is_under_age_and_told_the_date_of_the_18th_birthday():
    check = check_working_age(date(2008, 9, 2), Sex.MALE, date(2026, 9, 1))
    assert (check.ok, check.code) == (False, "AGE_UNDER_18")
    assert "2026-09-02" in check.message_zh
    assert "2026-09-02" in check.message_en


def test_the_18th_birthday_is_the_first_day_of_working_age():
    check = check_working_age(date(2008, 9, 1), Sex.MALE, date(2026, 9, 1))
    assert (check.ok, check.code) == (True, "AGE_OK")


def test_someone_born_on_29_february_2008_may_apply_from_1_march_2026():
    check = check_working_age(date(2008, 2, 29), Sex.FEMALE, date(2026, 2, 28))
    assert check.code == "AGE_UNDER_18"
    assert "2026-03-01" in check.message_zh
    assert check_working_age(date(2008, 2, 29), Sex.FEMALE, date(2026, 3, 1)).ok


def test_a_woman_worker_born_in_march_1976_is_past_working_age_on_her_retirement_day():
    born = date(1976, 3, 10)
    assert retirement_date(born, FEMALE_50) == date(2026, 11, 10)
    assert check_working_age(born, Sex.FEMALE, date(2026, 11, 9)).ok
    check = check_working_age(born, Sex.FEMALE, date(2026, 11, 10))
    assert (check.ok, check.code) == (False, "AGE_ABOVE_RETIREMENT")
    assert "2026-11-10" in check.message_zh


def test_the_same_woman_as_a_safety_manager_works_until_56_years_and_7_months():
    born = date(1976, 3, 10)
    assert check_working_age(born, Sex.FEMALE, date(2030, 1, 1), certificate_type="SM").ok
    check = check_working_age(born, Sex.FEMALE, date(2030, 1, 1), group=FEMALE_50)
    assert check.code == "AGE_ABOVE_RETIREMENT"
    assert retirement_date(born, FEMALE_55) == date(2032, 10, 10)


def test_a_date_before_birth_counts_as_under_age():
    assert check_working_age(date(2020, 1, 1), Sex.MALE, date(2019, 1, 1)).code == "AGE_UNDER_18"


BIRTHS = st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31))


@given(st.sampled_from(list(RetirementGroup)), BIRTHS, BIRTHS)
def test_a_later_birth_never_means_an_earlier_retirement(group, a, b):
    early, late = sorted((a, b))
    assert retirement_date(early, group) <= retirement_date(late, group)


@given(st.sampled_from(list(RetirementGroup)), BIRTHS)
def test_the_retirement_age_stays_between_the_old_and_the_new_age(group, born):
    old, new = {MALE_60: (60, 63), FEMALE_55: (55, 58), FEMALE_50: (50, 55)}[group]
    assert old * 12 <= retirement_age_months(born, group) <= new * 12


@given(BIRTHS, st.dates(min_value=date(1958, 1, 1), max_value=date(2080, 12, 31)))
def test_working_age_is_ok_exactly_between_the_18th_birthday_and_retirement(born, on):
    check = check_working_age(born, Sex.MALE, on)
    expected = on >= born and age_on(born, on) >= 18 and on < retirement_date(born, MALE_60)
    assert check.ok == expected
