import pytest

from opcert.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    IllegalTransition,
    NotFound,
    Unauthorized,
    ValidationFailed,
)


def test_a_domain_error_reads_as_its_chinese_message():
    error = DomainError("X", "出错了", "went wrong")
    assert str(error) == "出错了"
    assert (error.code, error.message_en, error.field) == ("X", "went wrong", None)


def test_a_field_error_takes_the_field_first():
    error = FieldError("name", "NAME_EMPTY", "请填写姓名。", "Enter the name.")
    assert (error.field, error.code) == ("name", "NAME_EMPTY")
    assert isinstance(error, DomainError)


def test_a_field_error_without_a_field_is_a_programming_error():
    with pytest.raises(ValueError):
        FieldError("", "X", "错", "wrong")


def test_validation_failed_carries_every_field_error():
    errors = [FieldError("a", "A", "甲", "a"), FieldError("b", "B", "乙", "b")]
    failure = ValidationFailed(errors)
    assert failure.code == "VALIDATION_FAILED"
    assert failure.errors == errors
    assert "2" in failure.message_zh


def test_validation_failed_with_no_errors_is_a_programming_error():
    with pytest.raises(ValueError):
        ValidationFailed([])


@pytest.mark.parametrize("kind", [NotFound, Conflict, Forbidden, Unauthorized, IllegalTransition])
def test_every_error_kind_is_a_domain_error_with_the_common_constructor(kind):
    error = kind("CODE", "中文", "English", "field")
    assert isinstance(error, DomainError)
    assert error.to_dict() == {
        "code": "CODE",
        "field": "field",
        "message_zh": "中文",
        "message_en": "English",
    }
