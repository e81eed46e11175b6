"""Whatever arrives at decode and verify, they answer; a changed credential is never VALID."""

from __future__ import annotations

import zlib

import base45
import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcert.credential.base45_codec import ALPHABET
from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import SoftwareSigner
from opcert.credential.sc1 import decode, encode
from opcert.credential.verifier import StaticStatusSource, Verdict, VerificationResult, verify

from .builders import NOW, make_payload, make_status_list, make_trust_list, make_trusted_key

cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-70000, 10) | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=20,
)


def wrap(cose: bytes) -> str:
    return "SC1:" + str(base45.b45encode(zlib.compress(cose)).decode())


def sc1_like_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(),
        st.text(alphabet=ALPHABET).map(lambda body: "SC1:" + body),
        st.binary().map(lambda data: "SC1:" + base45.b45encode(data).decode()),
        st.binary().map(wrap),
        cbor_values.map(lambda value: wrap(cbor2.dumps(value))),
        st.tuples(cbor_values, cbor_values).map(
            lambda pair: wrap(
                cbor2.dumps(cbor2.CBORTag(18, [b"\xa1\x01\x27", {}, cbor2.dumps(pair[0]), b""]))
            )
        ),
    )


@pytest.fixture(scope="module")
def setting(signer: SoftwareSigner) -> tuple[str, dict[str, object]]:
    context: dict[str, object] = {
        "trust_list": make_trust_list(make_trusted_key(signer)),
        "statuses": StaticStatusSource([make_status_list()]),
        "now": NOW,
    }
    text = encode(make_payload(), signer)
    assert verify(text, **context).verdict is Verdict.VALID  # type: ignore[arg-type]
    return text, context


def verdict_of(text: str, context: dict[str, object]) -> VerificationResult:
    result = verify(text, **context)  # type: ignore[arg-type]
    assert "INTERNAL_ERROR" not in {check.code for check in result.checks}
    return result


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(sc1_like_texts())
def test_decode_raises_nothing_but_malformed_credential(text: str) -> None:
    layer = None
    try:
        decode(text)
    except MalformedCredential as exc:
        layer = exc.layer
    assert layer in {None, "prefix", "base45", "zlib", "cbor", "cose", "claims"}


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=sc1_like_texts())
def test_verify_answers_every_input_and_never_with_valid(
    setting: tuple[str, dict[str, object]], text: str
) -> None:
    result = verdict_of(text, setting[1])
    assert result.verdict is not Verdict.VALID
    assert [check.name for check in result.checks] == [
        "decode",
        "key",
        "signature",
        "dates",
        "status",
    ]


def test_flipping_bits_of_any_byte_of_the_cose_never_yields_valid(
    setting: tuple[str, dict[str, object]],
) -> None:
    text, context = setting
    cose = zlib.decompress(base45.b45decode(text[4:]))
    for position in range(len(cose)):
        for mask in (0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF):
            changed = bytearray(cose)
            changed[position] ^= mask
            result = verdict_of(wrap(bytes(changed)), context)
            assert result.verdict is not Verdict.VALID, (position, mask)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_change_of_the_cose_is_never_valid(
    setting: tuple[str, dict[str, object]], data: st.DataObject
) -> None:
    text, context = setting
    cose = bytearray(zlib.decompress(base45.b45decode(text[4:])))
    position = data.draw(st.integers(0, len(cose) - 1))
    cose[position] ^= data.draw(st.integers(1, 255))
    assert verdict_of(wrap(bytes(cose)), context).verdict is not Verdict.VALID


def test_replacing_any_character_of_the_string_never_yields_valid(
    setting: tuple[str, dict[str, object]],
) -> None:
    text, context = setting
    for position in range(len(text)):
        for replacement in ALPHABET + "a":
            if replacement == text[position]:
                continue
            changed = text[:position] + replacement + text[position + 1 :]
            assert verdict_of(changed, context).verdict is not Verdict.VALID, (
                position,
                replacement,
            )


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_character_change_of_the_string_is_never_valid(
    setting: tuple[str, dict[str, object]], data: st.DataObject
) -> None:
    text, context = setting
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.characters().filter(lambda c: c != text[position]))
    changed = text[:position] + replacement + text[position + 1 :]
    assert verdict_of(changed, context).verdict is not Verdict.VALID
