from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import FieldError
from opcert.domain.identity import (
    ResidentId,
    Sex,
    parse_resident_id,
    upgrade_15_digit,
)

from .builders import TODAY, check_character, id_numbers, make_id_number


def parse(text: str, today: date = TODAY) -> ResidentId:
    return parse_resident_id(text, today=today)


def error_of(text: str, today: date = TODAY) -> FieldError:
    with pytest.raises(FieldError) as caught:
        parse(text, today)
    return caught.value


def test_the_standards_beijing_example_is_a_woman_born_on_31_december_1949_in_chaoyang():
    rid = parse("11010519491231002X")
    assert rid == ResidentId(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        sex=Sex.FEMALE,
        division="110105",
        division_known=True,
        province="11",
    )
    assert rid.division_name == "北京市朝阳区"
    assert rid.province_name == "北京市"


def test_the_standards_shantou_example_parses_although_its_county_code_was_abolished():
    rid = parse("440524188001010014")
    assert rid.birth_date == date(1880, 1, 1)
    assert rid.sex is Sex.MALE
    assert rid.division_known
    assert rid.division_name == "广东省汕头市潮阳县"


def test_a_lower_case_x_and_surrounding_or_inner_spaces_are_accepted():
    assert parse("  110105 19491231 002x\n").number == "11010519491231002X"


def test_full_width_digits_from_a_chinese_input_method_are_read_as_ascii():
    assert parse("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"


def test_an_empty_number_is_reported_as_missing():
    error = error_of("   ")
    assert (error.code, error.field) == ("ID_EMPTY", "id_number")
    assert "身份证号码" in error.message_zh


def test_the_error_names_the_field_the_caller_gives():
    with pytest.raises(FieldError) as caught:
        parse_resident_id("", today=TODAY, field="holder_id")
    assert caught.value.field == "holder_id"


@pytest.mark.parametrize(
    "text", ["1101051949123100", "11010519491231002XX", "1101051949123100Y2", "Ｘ" * 18]
)
def test_wrong_length_or_characters_is_a_format_error_that_states_the_expected_form(text):
    error = error_of(text)
    assert error.code == "ID_FORMAT"
    assert "18位" in error.message_zh
    assert "17 digits" in error.message_en


def test_arabic_indic_digits_are_not_mistaken_for_ascii_digits():
    assert error_of("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X").code == "ID_FORMAT"


def test_a_15_digit_number_is_refused_with_a_hint_to_use_the_18_digit_one():
    error = error_of("110105491231002")
    assert error.code == "ID_FORMAT"
    assert "15位" in error.message_zh


def test_a_wrong_check_character_is_reported_without_revealing_the_right_one():
    error = error_of("110105194912310021")
    assert error.code == "ID_CHECKSUM"
    assert "X" not in error.message_zh


def test_a_province_code_that_does_not_exist_is_refused():
    error = error_of(make_id_number(division="990105"))
    assert error.code == "ID_PROVINCE"
    assert "99" in error.message_zh


@pytest.mark.parametrize("division", ["810000", "820000", "830000", "710000"])
def test_hong_kong_macao_and_taiwan_codes_are_accepted(division):
    assert parse(make_id_number(division=division)).province == division[:2]


def test_taiwan_residence_permit_code_83_is_accepted_but_flagged_as_unknown_division():
    rid = parse(make_id_number(division="830000"))
    assert not rid.division_known
    assert rid.division_name is None


def test_an_unknown_county_in_a_real_province_is_accepted_and_flagged_for_review():
    rid = parse(make_id_number(division="441399"))
    assert not rid.division_known
    assert rid.division_name is None
    assert rid.province_name == "广东省"


def test_an_impossible_birth_date_is_refused():
    body = "11010519900230123"
    error = error_of(body + check_character(body))
    assert error.code == "ID_BIRTH_DATE"
    assert "1990-02-30" in error.message_zh


def test_a_birth_date_after_today_is_refused_but_today_itself_is_accepted():
    assert parse(make_id_number(born=date(2026, 9, 1))).birth_date == date(2026, 9, 1)
    error = error_of(make_id_number(born=date(2026, 9, 2)))
    assert error.code == "ID_BIRTH_DATE"
    assert "晚于今天" in error.message_zh


def test_a_birth_date_before_1850_is_taken_for_a_mistyped_century():
    error = error_of(make_id_number(born=date(1849, 12, 31)))
    assert error.code == "ID_BIRTH_DATE"
    assert parse(make_id_number(born=date(1850, 1, 1))).birth_date == date(1850, 1, 1)


def test_the_masked_form_hides_birth_date_and_sequence():
    assert parse("11010519491231002X").masked() == "110105********002X"


def test_a_15_digit_number_upgrades_by_inserting_19_and_a_check_character():
    assert upgrade_15_digit("110105491231002") == "11010519491231002X"
    body = "44052419800101001"
    assert upgrade_15_digit(" 440524800101001 ") == body + check_character(body)


@pytest.mark.parametrize("text", ["11010549123100", "11010519491231002X", "11010549123100A"])
def test_upgrading_anything_but_15_digits_is_a_format_error(text):
    with pytest.raises(FieldError) as caught:
        upgrade_15_digit(text)
    assert caught.value.code == "ID_FORMAT"


@given(id_numbers())
def test_any_valid_number_parses_and_round_trips_birth_date_and_sex(generated):
    number, born, sequence = generated
    rid = parse(number.lower())
    assert rid.number == number
    assert rid.birth_date == born
    assert rid.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)
    assert rid.division == number[:6]


@given(id_numbers(), st.integers(min_value=0, max_value=17), st.data())
def test_any_single_character_change_of_a_valid_number_is_rejected(generated, position, data):
    number = generated[0]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    assert error_of(changed).code == "ID_CHECKSUM"


@given(id_numbers(), st.integers(min_value=0, max_value=15))
def test_any_swap_of_two_different_adjacent_digits_is_rejected(generated, position):
    number = generated[0]
    a, b = number[position], number[position + 1]
    if a != b:
        swapped = number[:position] + b + a + number[position + 2 :]
        assert error_of(swapped).code == "ID_CHECKSUM"


@given(st.text(max_size=30))
def test_arbitrary_text_either_parses_or_raises_a_field_error(text):
    try:
        rid = parse(text)
    except FieldError as error:
        code = error.code
    else:
        code = "OK"
        assert len(rid.number) == 18
    assert code in {
        "OK",
        "ID_EMPTY",
        "ID_FORMAT",
        "ID_CHECKSUM",
        "ID_PROVINCE",
        "ID_BIRTH_DATE",
        "ID_EXCEL_NUMBER",
        "ID_IS_CERTIFICATE_NUMBER",
    }


@given(
    st.sampled_from(["110105", "440524"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_an_upgraded_15_digit_number_parses_with_the_same_birth_date(division, born, seq):
    old = f"{division}{born:%y%m%d}{seq:03d}"
    rid = parse(upgrade_15_digit(old))
    assert rid.birth_date == born
