"""Strict dates and scores, and the unsafe-text rule."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import FieldError
from opcert.domain.input_formats import parse_date, parse_score
from opcert.domain.unsafe_text import check_text, first_unsafe


@pytest.mark.parametrize(
    "typed", ["2026-11-20", "2026/11/20", "2026.11.20", " 2026-11-20 ", datetime(2026, 11, 20, 8)]
)
def test_a_date_in_any_accepted_spelling_is_that_day(typed):
    assert parse_date(typed, "exam_date") == date(2026, 11, 20)


def test_one_digit_months_and_days_as_excel_writes_them_are_read():
    assert parse_date("2026/1/5", "d") == date(2026, 1, 5)


@pytest.mark.parametrize(
    "typed",
    ["2026年11月22日", "２０２６年１１月２２日", "2026 年 11 月 22 日", "２０２６-１１-２２"],
)
def test_a_date_written_in_chinese_or_with_full_width_digits_is_that_day(typed):
    assert parse_date(typed, "exam_date") == date(2026, 11, 22)


def test_an_impossible_day_is_refused_as_not_a_real_date_naming_the_field():
    with pytest.raises(FieldError) as raised:
        parse_date("2026年2月30日", "exam_date")
    assert raised.value.field == "exam_date" and "不是日历上存在的日期" in raised.value.message_zh


@pytest.mark.parametrize(
    "typed",
    [
        "2026-11-20garbage",
        "2026-11-20T10:00",
        "2026-11/20",
        "20261120",
        "2026-02-30",
        "٢٠٢٦-11-20",
        "2026年11月20",
        "2026年11-20日",
        "2026-11-20\x00",
        "x2026-11-20",
    ],
)
def test_a_date_with_anything_more_or_else_is_refused(typed):
    with pytest.raises(FieldError) as raised:
        parse_date(typed, "exam_date")
    assert (raised.value.field, raised.value.code) == ("exam_date", "DATE_FORMAT")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), st.sampled_from("-/."))
def test_every_real_date_round_trips_through_each_separator(day, sep):
    assert parse_date(day.isoformat().replace("-", sep), "d") == day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), st.booleans())
def test_every_real_date_round_trips_written_the_chinese_way(day, padded):
    month, dom = (f"{day.month:02d}", f"{day.day:02d}") if padded else (day.month, day.day)
    assert parse_date(f"{day.year}年{month}月{dom}日", "d") == day


@pytest.mark.parametrize(
    ("typed", "score"), [(86, 86.0), (85.5, 85.5), ("86", 86.0), ("85.5", 85.5), (" 60 ", 60.0)]
)
def test_a_score_is_a_number_or_plain_digits(typed, score):
    assert parse_score(typed, "theory_score", required=True) == score


@pytest.mark.parametrize(
    "typed", ["8_6", "8 6", "1e2", "+86", "-0", "86.", ".5", "八十六", "８６", True, False, "0x56"]
)
def test_a_score_spelt_any_other_way_is_not_a_number(typed):
    with pytest.raises(FieldError) as raised:
        parse_score(typed, "theory_score", required=True)
    assert raised.value.code == "SCORE_NOT_NUMBER"


@pytest.mark.parametrize("typed", [101, -1, "100.5", 2**63, float("inf")])
def test_a_score_outside_0_to_100_is_out_of_range(typed):
    with pytest.raises(FieldError) as raised:
        parse_score(typed, "theory_score", required=True)
    assert raised.value.code == "SCORE_OUT_OF_RANGE"


@given(st.text())
def test_text_that_passes_holds_no_control_bidi_zero_width_or_surrogate(text):
    if first_unsafe(text) is None:
        assert check_text(text, "f") == text
        for char in text:
            assert char in "\t\n\r" or ord(char) >= 0x20
            assert char not in "\x7f\u200b\u200c\u200d\u2060\ufeff\u202e\u2066\u061c"
            assert not 0xD800 <= ord(char) <= 0xDFFF


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\x85", "\u202e", "\u200b", "\ud800"])
def test_each_kind_of_unsafe_character_is_refused_and_named(char):
    with pytest.raises(FieldError) as raised:
        check_text(f"a{char}b", "details")
    assert raised.value.code == "UNSAFE_CHARACTER"
    assert f"U+{ord(char):04X}" in raised.value.message_en
