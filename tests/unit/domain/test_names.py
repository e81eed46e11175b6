"""The one name rule: properties over arbitrary text, and the cases people meet."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import FieldError
from opcert.domain.names import (
    DOT_LOOKALIKES,
    MAX_NAME,
    MIDDLE_DOT,
    SPACES,
    PersonName,
    is_han,
    is_latin_letter,
)

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
latin = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèüöñçãøåßễịăđ")
separator = st.sampled_from(sorted(DOT_LOOKALIKES | {MIDDLE_DOT}))
space = st.sampled_from(sorted(SPACES))
part = st.text(st.one_of(han, latin), min_size=1, max_size=6)


@st.composite
def names(draw: st.DrawFn) -> str:
    """A plausible name as typed: parts joined by any separator or spaces, stray spaces."""
    parts = draw(st.lists(part, min_size=1, max_size=4))
    text = parts[0]
    for piece in parts[1:]:
        joint = draw(st.one_of(separator, st.text(space, min_size=1, max_size=3)))
        text += joint + piece
    padding = draw(st.text(space, max_size=2))
    return padding + text + padding


def _refused_or_normal(text: str) -> str | None:
    try:
        return PersonName(text).text
    except FieldError:
        return None


@given(st.text(max_size=60))
def test_any_text_is_either_refused_or_becomes_a_name_of_allowed_characters_only(text):
    name = _refused_or_normal(text)
    if name is not None:
        assert name == name.strip() and "  " not in name and 0 < len(name) <= MAX_NAME
        assert unicodedata.is_normalized("NFC", name)
        assert all(is_han(c) or is_latin_letter(c) or c in (" ", MIDDLE_DOT) for c in name)


@given(st.one_of(st.text(max_size=60), names()))
def test_the_rule_is_idempotent(text):
    name = _refused_or_normal(text)
    if name is not None:
        assert PersonName(name).text == name


@given(names())
def test_every_separator_people_type_becomes_the_middle_dot(text):
    name = _refused_or_normal(text)
    if name is not None:
        assert not any(c in DOT_LOOKALIKES for c in name)
        assert f" {MIDDLE_DOT}" not in name and f"{MIDDLE_DOT} " not in name


@pytest.mark.parametrize(
    "typed",
    [
        "阿依古丽•买买提",
        "阿依古丽.买买提",
        "阿依古丽・买买提",
        "阿依古丽．买买提",
        "阿依古丽 · 买买提",
    ],
)
def test_a_minority_name_reads_the_same_whichever_dot_was_typed(typed):
    assert PersonName(typed).text == "阿依古丽·买买提"


def test_foreign_names_keep_their_accents_and_single_spaces():
    assert PersonName("  Nguyễn　Thị   Minh Khai ").text == "Nguyễn Thị Minh Khai"


def test_a_decomposed_accent_is_composed():
    assert PersonName("Jose\u0301").text == "José"


def test_rare_han_characters_of_the_extensions_are_names():
    assert PersonName("王\U00020000").text == "王\U00020000"


@pytest.mark.parametrize(
    ("typed", "code", "shown"),
    [
        ("张\u200b三", "NAME_CHARACTER", "U+200B"),
        ("张\u202e三", "NAME_CHARACTER", "U+202E"),
        ("张\x00三", "NAME_CHARACTER", "U+0000"),
        ("张\t三", "NAME_CHARACTER", "U+0009"),
        ("张三😀", "NAME_CHARACTER", "U+1F600"),
        ("=HYPERLINK", "NAME_CHARACTER", "U+003D"),
        ("+张三", "NAME_CHARACTER", "U+002B"),
        ("@张三", "NAME_CHARACTER", "U+0040"),
        ("张三3", "NAME_HAS_DIGITS", "U+0033"),
        ("·买买提", "NAME_SEPARATOR", ""),
        ("阿依古丽··买买提", "NAME_SEPARATOR", ""),
        ("   ", "NAME_EMPTY", ""),
        ("张" * (MAX_NAME + 1), "NAME_TOO_LONG", ""),
    ],
)
def test_a_name_outside_the_rule_is_refused_naming_the_character(typed, code, shown):
    with pytest.raises(FieldError) as raised:
        PersonName.parse(typed, "holder_name")
    assert (raised.value.field, raised.value.code) == ("holder_name", code)
    assert shown in raised.value.message_zh and shown in raised.value.message_en
