"""Real Chinese input (issue 14, part 4): ID numbers pasted with spaces, hyphens, full-width
digits and invisible characters; the certificate's own number typed where the ID is asked; names
written with any dot, or none, and with full-width letters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.certificates import certificate_number
from opcert.domain.errors import FieldError
from opcert.domain.identity import certificate_number_id, normalise_id_text, parse_resident_id
from opcert.domain.names import MIDDLE_DOT, PersonName, is_han, name_key

from .builders import TODAY, id_numbers

BEIJING = "11010519491231002X"
PASTED_SEPARATORS = [" ", "\u3000", "-", "\u2010", "\u2013", "\u2014", "\uff0d", "\u200b", "\ufeff"]


def parse(text: str, **options: bool) -> str:
    return parse_resident_id(text, today=TODAY, **options).number


@pytest.mark.parametrize(
    "typed",
    [
        "1101 0519 4912 3100 2X",  # grouped as the card prints it
        "110105 19491231 002X",
        "110105-19491231-002x",  # hyphens and a lower-case x
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width, from a Chinese input method
        "110105\u300019491231\u3000002X",  # ideographic spaces
        "\u200b11010519491231002X\u200b",  # zero-width spaces from a chat or a web page
        " 11010519491231002X\n",
    ],
)
def test_an_id_pasted_with_spaces_hyphens_or_full_width_digits_is_the_same_number(typed):
    assert parse(typed) == BEIJING


def test_an_id_with_spaces_longer_than_18_characters_is_not_blamed_as_an_old_15_digit_id():
    typed = "1101 0519 4912 3100 2X"
    assert len(typed) > 18
    assert parse(typed) == BEIJING
    # What the 18-character limit of the form used to leave of it is still a 15-digit error,
    # but the number as typed is never cut.
    with pytest.raises(FieldError) as caught:
        parse(typed[:18])
    assert caught.value.code == "ID_FORMAT"


@pytest.mark.parametrize("typed", [f"T{BEIJING}", f"t {BEIJING[:6]} {BEIJING[6:]}", f"A{BEIJING}"])
def test_a_certificate_number_where_an_id_is_asked_is_named_as_such(typed):
    with pytest.raises(FieldError) as caught:
        parse(typed)
    error = caught.value
    assert (error.field, error.code) == ("id_number", "ID_IS_CERTIFICATE_NUMBER")
    assert "这是证书编号" in error.message_zh and "certificate number" in error.message_en


def test_the_query_that_accepts_a_certificate_number_reads_the_id_inside_it():
    assert parse(f"T{BEIJING}", certificate_number=True) == BEIJING
    assert parse(f"t-{BEIJING.lower()}", certificate_number=True) == BEIJING
    assert certificate_number_id(certificate_number(BEIJING, "SO")) == BEIJING
    assert certificate_number_id(BEIJING) is None
    assert certificate_number_id("T123") is None


def test_a_certificate_number_with_a_wrong_check_character_is_still_refused_when_accepted():
    with pytest.raises(FieldError) as caught:
        parse("T110105194912310021", certificate_number=True)
    assert caught.value.code == "ID_CHECKSUM"


@pytest.mark.parametrize("shown", ["4.40402199005171E+17", "4.40402e+17", "4.40402199005171E17"])
def test_an_id_excel_showed_in_scientific_notation_is_refused_asking_for_a_text_cell(shown):
    with pytest.raises(FieldError) as caught:
        parse_resident_id(shown, today=TODAY, field="id_number")
    error = caught.value
    assert (error.field, error.code) == ("id_number", "ID_EXCEL_NUMBER")
    assert "文本" in error.message_zh and "Text" in error.message_en


@pytest.mark.parametrize("look_alike", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "11010519491231002Х"])  # Х Cyrillic
def test_digits_and_letters_of_other_scripts_are_not_read_as_an_id(look_alike):
    with pytest.raises(FieldError) as caught:
        parse(look_alike)
    assert caught.value.code == "ID_FORMAT"


@given(st.text(max_size=40))
def test_normalising_an_id_is_idempotent(text):
    once = normalise_id_text(text)
    assert normalise_id_text(once) == once


@given(st.text(max_size=40))
def test_a_normalised_id_has_no_space_hyphen_or_zero_width_character(text):
    assert not set(normalise_id_text(text)) & (set(PASTED_SEPARATORS) | {"\t", "\n"})


@given(id_numbers(), st.lists(st.sampled_from(PASTED_SEPARATORS), max_size=6), st.data())
def test_any_valid_id_with_separators_pasted_anywhere_is_read_as_itself(generated, seps, data):
    number = generated[0] if isinstance(generated, tuple) else generated
    text = number
    for sep in seps:
        at = data.draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + sep + text[at:]
    assert parse(text) == number
    assert parse("T" + text, certificate_number=True) == number


# --- names -----------------------------------------------------------------------------------

AYIGULI = "阿依古丽·买买提"


@pytest.mark.parametrize(
    "typed",
    [
        "阿依古丽•买买提",
        "阿依古丽・买买提",
        "阿依古丽.买买提",
        "阿依古丽．买买提",
        "阿依古丽‧买买提",
        "阿依古丽﹒买买提",
        "阿依古丽ㆍ买买提",  # a Korean input method's middle dot
        " 阿依古丽 · 买买提 ",
    ],
)
def test_every_dot_people_type_in_a_minority_name_becomes_the_middle_dot(typed):
    assert PersonName(typed).text == AYIGULI


def test_a_name_written_without_its_separator_has_the_same_key_as_with_it():
    assert PersonName("阿依古丽买买提").key == PersonName(AYIGULI).key == "阿依古丽买买提"
    assert PersonName("阿依古丽买买提").text != AYIGULI  # stored as typed: only matching is loose


def test_full_width_latin_letters_and_kangxi_radicals_become_what_they_stand_for():
    assert PersonName("ＪＯＨＮ Ｓｍｉｔｈ").text == "JOHN Smith"
    assert PersonName("\u2f08民").text == "人民"  # KANGXI RADICAL MAN looks like 人


@pytest.mark.parametrize("typed", ["张\u200b三", "张三\u202e", "①张三", "张三㈱", "=HYPERLINK(1)"])
def test_invisible_and_look_alike_characters_that_stand_for_no_letter_are_refused(typed):
    with pytest.raises(FieldError) as caught:
        PersonName.parse(typed, "name")
    assert caught.value.field == "name"
    assert caught.value.code in {"NAME_CHARACTER", "NAME_HAS_DIGITS"}


@given(st.text(max_size=60))
def test_a_name_never_loses_a_han_character_of_what_was_typed(text):
    try:
        name = PersonName(text).text
    except FieldError:
        return
    typed_han = [c for c in text if is_han(c)]
    kept_han = [c for c in name if is_han(c)]
    # NFKC may turn a radical into a Han character, never a Han character into anything else.
    assert all(c in kept_han for c in typed_han)
    assert len(kept_han) >= len(typed_han)


@given(st.text(max_size=60))
def test_the_key_of_a_name_is_its_text_without_dots_and_is_idempotent(text):
    try:
        name = PersonName(text)
    except FieldError:
        return
    assert MIDDLE_DOT not in name.key
    assert name_key(name.key) == name.key
    assert name.key == name.text.replace(MIDDLE_DOT, "")
    assert PersonName(name.text).key == name.key
