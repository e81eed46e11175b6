"""Pasted QR text: line breaks, tabs and other white space go wherever they are; Base45's own
space stays inside; nothing else changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opcert.domain.pasted_text import qr_text

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
NOT_BASE45_WHITE = ["\n", "\r\n", "\r", "\t", "\u3000", "\u00a0", "\v", "\f", "\u2028"]

payloads = st.text(alphabet=BASE45, min_size=1, max_size=200).map(lambda s: "SC1:" + s.strip(" "))


@given(payloads, st.lists(st.tuples(st.integers(0, 400), st.sampled_from(NOT_BASE45_WHITE))))
def test_white_space_inserted_anywhere_by_a_paste_is_removed(payload, insertions):
    garbled = payload
    for position, white in insertions:
        at = position % (len(garbled) + 1)
        garbled = garbled[:at] + white + garbled[at:]
    assert qr_text(" \n" + garbled + "\r\n ") == payload


@given(payloads)
def test_a_clean_payload_is_unchanged_including_its_inner_spaces(payload):
    assert qr_text(payload) == payload


def test_a_trailing_newline_and_line_wrapping_are_removed():
    assert qr_text("SC1:AB C\r\nDE\n") == "SC1:AB CDE"
