"""The officer pages' page numbers: whatever a link or a hand-edited URL carries, a page from 1
to 999,999 and never an error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opcert.interfaces.web.routes.officer import page_number


@given(st.text())
def test_any_text_is_a_page_between_1_and_999999(text: str) -> None:
    assert 1 <= page_number(text) <= 999_999


@given(st.integers(min_value=1, max_value=999_999))
def test_a_page_link_opens_the_page_it_names(number: int) -> None:
    assert page_number(str(number)) == number


def test_a_page_of_zero_digits_or_non_ascii_digits_is_the_first_page() -> None:
    assert [page_number(t) for t in ("", "0", "²", "١٢", "1000000", "-1")] == [1, 1, 1, 1, 1, 1]
