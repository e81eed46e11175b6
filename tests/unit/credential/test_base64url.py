from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.credential.base64url import b64url_decode, b64url_encode


@given(st.binary(max_size=100))
def test_base64url_round_trips_without_padding(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert b64url_decode(text) == data


def test_correct_padding_is_accepted() -> None:
    assert b64url_decode("YQ==") == b"a"


@pytest.mark.parametrize("text", ["a", "YQ=", "Y+==", "YR", "Y Q", "ab/c", "YQ==="])
def test_non_canonical_or_foreign_spellings_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(text)
