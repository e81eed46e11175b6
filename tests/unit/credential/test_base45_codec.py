from __future__ import annotations

import base45
import pytest
from hypothesis import given
from hypothesis import strategies as st

from opcert.credential import base45_codec
from opcert.credential.base45_codec import ALPHABET, b45decode, b45encode


def _reference_decode(text: str) -> bytes | None:
    try:
        return bytes(base45.b45decode(text))
    except ValueError:
        return None


def test_the_rfc_9285_examples_encode_and_decode() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45encode(b"base-45") == "UJCLQE7W581"
    assert b45decode("QED8WEX0") == b"ietf!"


def test_every_two_byte_value_encodes_like_the_base45_package() -> None:
    every_pair = bytes(b for value in range(65536) for b in value.to_bytes(2, "big"))
    assert b45encode(every_pair) == base45.b45encode(every_pair).decode()
    assert b45decode(b45encode(every_pair)) == every_pair


def test_the_division_constants_are_exact_over_their_whole_range() -> None:
    shift = base45_codec._SHIFT
    assert all((v * base45_codec._MAGIC_2025) >> shift == v // 2025 for v in range(65536))
    assert all((v * base45_codec._MAGIC_45) >> shift == v // 45 for v in range(2025))


@given(st.binary(max_size=600))
def test_encoding_any_bytes_matches_the_base45_package_and_round_trips(data: bytes) -> None:
    assert b45encode(data) == base45.b45encode(data).decode()
    assert b45decode(b45encode(data)) == data


@given(st.text(alphabet=ALPHABET + "abc~é\x00", max_size=40))
def test_decoding_any_text_agrees_with_the_base45_package_on_result_and_rejection(
    text: str,
) -> None:
    expected = _reference_decode(text)
    if expected is None:
        with pytest.raises(ValueError):
            b45decode(text)
    else:
        assert b45decode(text) == expected


@pytest.mark.parametrize(
    "text",
    ["GGW", "ZZ", "A", "a", "ÄB", "::", "BB8 ", "bb8"],
    ids=[
        "chunk above 65535",
        "tail above 255",
        "lone char",
        "lower",
        "non ascii",
        "tail 2024",
        "dangling space",
        "lower case",
    ],
)
def test_invalid_base45_is_rejected_with_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        b45decode(text)
