import pytest

from opcert.domain.education import Education, parse_education
from opcert.domain.errors import FieldError


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("none", Education.NONE),
        ("primary", Education.PRIMARY),
        ("junior_high", Education.JUNIOR_HIGH),
        ("SENIOR_HIGH", Education.SENIOR_HIGH),
        ("senior high", Education.SENIOR_HIGH),
        ("college", Education.COLLEGE),
        ("2", Education.JUNIOR_HIGH),
        ("无", Education.NONE),
        ("小学", Education.PRIMARY),
        ("初中", Education.JUNIOR_HIGH),
        ("初中毕业", Education.JUNIOR_HIGH),
        ("高中", Education.SENIOR_HIGH),
        ("中专", Education.SENIOR_HIGH),
        ("技校", Education.SENIOR_HIGH),
        ("职高", Education.SENIOR_HIGH),
        ("大专", Education.COLLEGE),
        (" 本科 ", Education.COLLEGE),
        ("本科学历", Education.COLLEGE),
        ("硕士研究生", Education.COLLEGE),
        ("高中及以上", Education.SENIOR_HIGH),
    ],
)
def test_english_names_and_common_chinese_words_are_understood(text, level):
    assert parse_education(text) is level


def test_an_unknown_level_is_a_field_error_on_the_given_field():
    with pytest.raises(FieldError) as caught:
        parse_education("幼儿园", field="applicant.education")
    error = caught.value
    assert (error.field, error.code) == ("applicant.education", "EDUCATION_UNKNOWN")
    assert "幼儿园" in error.message_zh


def test_levels_are_ordered_so_that_at_least_is_a_comparison():
    assert Education.NONE < Education.PRIMARY < Education.JUNIOR_HIGH
    assert Education.JUNIOR_HIGH < Education.SENIOR_HIGH < Education.COLLEGE


def test_every_level_has_a_chinese_and_an_english_label():
    assert Education.JUNIOR_HIGH.label_zh == "初中"
    assert all(level.label_zh and level.label_en for level in Education)
