"""Row validation is total: any JSON value gives a typed row or named field errors, never a crash."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from opcert.domain.accreditation import Accreditation
from opcert.domain.catalogue import catalogue
from opcert.services.intake.validation import (
    FIELDS,
    InvalidRow,
    PointInfo,
    RowValidator,
    ValidRow,
    content_hash,
)

TODAY = date(2026, 11, 20)
EVERY_ITEM = (Accreditation(None, True, True, True, None, None),)
POINTS = {
    "EP-1": PointInfo(1, "EP-1", 7, "440402", None, True, EVERY_ITEM),
    "EP-OTHER": PointInfo(2, "EP-OTHER", 8, "500103", None, True, EVERY_ITEM),
}
GOOD = {
    "ref": "R-1",
    "id_number": "11010519491231002X",
    "name": "张三",
    "item": "1.2",
    "theory_score": 86,
    "practical_score": 90,
    "exam_date": "2026-11-20",
    "exam_point": "EP-1",
}


def validator() -> RowValidator:
    return RowValidator(catalogue(), TODAY, 7, POINTS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS)))
def test_any_row_gives_a_verdict_and_every_error_names_a_known_field(row):
    result = validator().validate(0, row)
    assert isinstance(result, ValidRow | InvalidRow)
    if isinstance(result, InvalidRow):
        assert result.errors
        for error in result.errors:
            assert error.field in FIELDS
            assert error.message_zh
            assert error.message_en


@given(json_values)
def test_a_row_that_is_not_an_object_is_rejected_as_a_row(value):
    if isinstance(value, dict):
        return
    result = validator().validate(3, value)
    assert isinstance(result, InvalidRow)
    assert result.errors[0].field == "row"


@given(st.sampled_from(sorted(GOOD)), json_values)
def test_changing_one_field_of_a_good_row_either_keeps_it_valid_or_blames_that_field(field, value):
    row = {**GOOD, field: value}
    result = validator().validate(0, row)
    if isinstance(result, InvalidRow):
        assert {e.field for e in result.errors} == {field}


def test_a_good_row_is_typed():
    result = validator().validate(0, dict(GOOD))
    assert isinstance(result, ValidRow)
    assert result.item.name_zh == "低压电工作业"
    assert result.theory == 86.0


def test_an_exam_point_of_another_institution_is_blamed_on_the_exam_point():
    result = validator().validate(0, {**GOOD, "exam_point": "EP-OTHER"})
    assert isinstance(result, InvalidRow)
    assert [(e.field, e.code) for e in result.errors] == [("exam_point", "EXAM_POINT_NOT_YOURS")]


def test_the_content_hash_ignores_key_order_and_empty_optional_fields():
    reordered = dict(reversed(list(GOOD.items())))
    assert content_hash(GOOD) == content_hash({**reordered, "phone": ""})
    assert content_hash(GOOD) != content_hash({**GOOD, "theory_score": 87})
