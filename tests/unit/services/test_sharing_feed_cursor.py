"""The pull feed's cursor and limit (``GET /api/v1/events?after=&limit=``): what the feed gives
out reads back as itself, and anything else is a ``FieldError`` naming the parameter, never
another exception (which the API would answer with a 500)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.errors import FieldError
from opcert.services.sharing.feed import DEFAULT_LIMIT, MAX_LIMIT, parse_cursor, parse_limit

ids = st.integers(min_value=0, max_value=10**18)


def _outcome(parse, value):  # type: ignore[no-untyped-def]
    """(what ``parse`` returned, None) or (None, the FieldError it raised)."""
    try:
        return parse(value), None
    except FieldError as error:
        return None, error


@given(ids)
def test_a_cursor_the_feed_gives_out_reads_back_as_the_same_event_id(event_id):
    assert parse_cursor(f"e{event_id}") == event_id
    assert parse_cursor(f"  e{event_id}\n") == event_id


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_no_cursor_starts_from_the_beginning(empty):
    assert parse_cursor(empty) == 0


@given(st.text(max_size=30))
def test_any_other_text_is_a_field_error_on_after_or_an_event_id(text):
    value, error = _outcome(parse_cursor, text)
    if error is not None:
        assert (error.field, error.code) == ("after", "CURSOR_INVALID")
        assert error.message_zh and error.message_en
    else:
        given_text = text.strip()
        assert value == (int(given_text[1:]) if given_text else 0)
        assert not given_text or (given_text[0] == "e" and given_text[1:].isascii())


@pytest.mark.parametrize("text", ["x", "e", "e-1", "E5", "e1.5", "e²", "e١", "5", "e" + "9" * 20])
def test_cursors_the_feed_never_gives_out_are_refused(text):
    with pytest.raises(FieldError) as refused:
        parse_cursor(text)
    assert refused.value.field == "after"


@given(st.integers(min_value=1, max_value=MAX_LIMIT))
def test_a_limit_in_range_is_taken_as_text_or_number(limit):
    assert parse_limit(str(limit)) == parse_limit(limit) == limit


@pytest.mark.parametrize("empty", [None, ""])
def test_no_limit_is_the_default(empty):
    assert parse_limit(empty) == DEFAULT_LIMIT


@given(st.one_of(st.text(max_size=12), st.integers(min_value=-(2**70), max_value=2**70)))
def test_any_limit_is_in_range_or_a_field_error_on_limit(value):
    limit, error = _outcome(parse_limit, value)
    if error is not None:
        assert (error.field, error.code) == ("limit", "LIMIT_OUT_OF_RANGE")
    else:
        assert 1 <= limit <= MAX_LIMIT


@pytest.mark.parametrize("text", ["0", "-1", str(MAX_LIMIT + 1), "ten", "1e3", "9" * 5000])
def test_limits_out_of_range_or_not_whole_numbers_are_refused(text):
    with pytest.raises(FieldError) as refused:
        parse_limit(text)
    assert refused.value.field == "limit"
