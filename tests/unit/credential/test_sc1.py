from __future__ import annotations

import zlib

import base45
import cbor2
import pytest

from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import SoftwareSigner, verify_signature
from opcert.credential.sc1 import (
    MAX_INFLATED_BYTES,
    PREFIX,
    b45decode,
    decode,
    encode,
    inflate,
    parse_cose_sign1,
    unprefix,
)

from .builders import make_payload


def cose_of(text: str) -> bytes:
    return zlib.decompress(base45.b45decode(text.removeprefix(PREFIX)))


def wrap(cose: bytes) -> str:
    return PREFIX + str(base45.b45encode(zlib.compress(cose)).decode())


def test_the_cose_sign1_is_tagged_18_with_the_exact_protected_header_and_no_unprotected_one(
    signer: SoftwareSigner,
) -> None:
    cose = cose_of(encode(make_payload(), signer))
    assert cose[:2] == b"\xd2\x84"  # tag 18, array of 4
    protected = bytes.fromhex("a2012704") + b"\x48" + signer.kid
    assert cose[2:3] == bytes([0x40 | len(protected)])
    assert cose[3 : 3 + len(protected)] == protected
    assert cose[3 + len(protected)] == 0xA0  # empty unprotected map


def test_an_es256_credential_says_alg_minus_7_and_carries_a_64_byte_signature(
    es256_signer: SoftwareSigner,
) -> None:
    decoded = decode(encode(make_payload(), es256_signer))
    assert decoded.protected == bytes.fromhex("a2012604") + b"\x48" + es256_signer.kid
    assert len(decoded.signature) == 64
    assert verify_signature(
        es256_signer.public_key(), -7, decoded.sig_structure(), decoded.signature
    )


def test_the_signature_covers_the_rfc_9052_sig_structure(signer: SoftwareSigner) -> None:
    decoded = decode(encode(make_payload(), signer))
    expected = cbor2.dumps(["Signature1", decoded.protected, b"", decoded.payload_bytes])
    assert decoded.sig_structure() == expected
    assert verify_signature(signer.public_key(), -8, expected, decoded.signature)


def test_the_string_is_the_prefix_and_base45_characters_only(signer: SoftwareSigner) -> None:
    text = encode(make_payload(), signer)
    assert text.startswith("SC1:")
    assert set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_a_credential_decodes_to_the_payload_it_was_encoded_from(signer: SoftwareSigner) -> None:
    payload = make_payload()
    decoded = decode(encode(payload, signer))
    assert decoded.payload == payload
    assert (decoded.alg, decoded.kid) == (-8, signer.kid)
    assert decoded.claims[1] == "CN-440400"


def test_an_untagged_cose_sign1_is_accepted(signer: SoftwareSigner) -> None:
    cose = cose_of(encode(make_payload(), signer))
    assert decode(wrap(cose[1:])).payload == make_payload()


def test_kid_and_alg_are_taken_from_the_protected_header_only(signer: SoftwareSigner) -> None:
    protected, _, payload, signature = cbor2.loads(cose_of(encode(make_payload(), signer))).value
    no_kid = cbor2.dumps({1: -8})
    cose = cbor2.dumps(cbor2.CBORTag(18, [no_kid, {4: signer.kid}, payload, signature]))
    decoded = decode(wrap(cose))
    assert decoded.kid is None
    assert decoded.alg == -8


@pytest.mark.parametrize(
    ("cose", "layer"),
    [
        (cbor2.dumps(cbor2.CBORTag(17, [b"", {}, b"", b""])), "cose"),
        (cbor2.dumps([b"", {}, b""]), "cose"),
        (cbor2.dumps([b"", {}, None, b""]), "cose"),
        (cbor2.dumps([b"", [], b"", b""]), "cose"),
        (cbor2.dumps([b"\x01", {}, b"\xa0", b""]), "cose"),
        (cbor2.dumps([b"", {}, b"\xa0", b""]) + b"\x00", "cbor"),
        (b"\x9f", "cbor"),
        (cbor2.dumps([b"", {}, cbor2.dumps([1]), b""]), "claims"),
        (cbor2.dumps([b"", {}, b"\xa1\x01", b""]), "cbor"),
    ],
    ids=[
        "tag 17",
        "three items",
        "detached payload",
        "unprotected not a map",
        "protected not a map",
        "trailing byte",
        "truncated",
        "payload not a map",
        "payload truncated",
    ],
)
def test_a_broken_envelope_names_the_layer_that_failed(cose: bytes, layer: str) -> None:
    with pytest.raises(MalformedCredential) as raised:
        decode(wrap(cose))
    assert raised.value.layer == layer
    assert raised.value.message_zh and raised.value.message_en


def test_a_cwt_without_the_certificate_decodes_with_no_payload_and_a_reason() -> None:
    decoded = decode(wrap(cbor2.dumps([b"", {}, cbor2.dumps({1: "CN-440400"}), b""])))
    assert decoded.payload is None
    assert decoded.payload_problem is not None
    assert decoded.payload_problem.layer == "claims"


@pytest.mark.parametrize(
    ("text", "layer"),
    [
        ("HC1:NCF", "prefix"),
        ("sc1:NCF", "prefix"),
        ("", "prefix"),
        ("SC1:abc", "base45"),
        ("SC1:A", "base45"),
        ("SC1:" + base45.b45encode(b"not zlib").decode(), "zlib"),
        ("SC1:" + base45.b45encode(zlib.compress(b"x" * 100)[:-3]).decode(), "zlib"),
        ("SC1:" + base45.b45encode(zlib.compress(b"x") + b"!").decode(), "zlib"),
        ("SC1:" + base45.b45encode(zlib.compress(b"x")).decode(), "cbor"),
    ],
    ids=[
        "other prefix",
        "lower case",
        "empty",
        "lower base45",
        "odd length",
        "not zlib",
        "truncated zlib",
        "bytes after zlib",
        "not cbor",
    ],
)
def test_each_outer_layer_reports_its_own_failure(text: str, layer: str) -> None:
    with pytest.raises(MalformedCredential) as raised:
        decode(text)
    assert raised.value.layer == layer


def test_a_decompression_bomb_stops_at_the_inflated_size_cap() -> None:
    bomb = zlib.compress(bytes(10 * 1024 * 1024), 9)
    with pytest.raises(MalformedCredential) as raised:
        inflate(bomb)
    assert raised.value.layer == "zlib"
    assert len(inflate(zlib.compress(bytes(MAX_INFLATED_BYTES)))) == MAX_INFLATED_BYTES


def test_text_far_longer_than_any_credential_is_refused_before_decoding() -> None:
    with pytest.raises(MalformedCredential) as raised:
        b45decode("0" * 1_000_000)
    assert raised.value.layer == "base45"


def test_deeply_nested_cbor_is_refused_not_recursed_into() -> None:
    with pytest.raises(MalformedCredential) as raised:
        parse_cose_sign1(b"\x81" * 10_000 + b"\x00")
    assert raised.value.layer == "cbor"


def test_decode_takes_another_prefix_when_asked(signer: SoftwareSigner) -> None:
    text = encode(make_payload(), signer)
    assert unprefix("HC1:ABC", "HC1:") == "ABC"
    assert decode("HC1:" + text[4:], prefix="HC1:").payload == make_payload()


def _inflates_to(stream: bytes, expected: bytes) -> bool:
    try:
        return zlib.decompress(stream) == expected
    except zlib.error:
        return False


def test_set_padding_bits_after_the_last_deflate_block_are_refused() -> None:
    data = b"SC1 padding" * 7
    stream = zlib.compress(data)
    last = len(stream) - 5  # the last deflate byte, before the Adler-32
    variants = [
        stream[:last] + bytes([stream[last] | bit]) + stream[last + 1 :]
        for bit in (0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02)
        if not stream[last] & bit
    ]
    ignored = [variant for variant in variants if _inflates_to(variant, data)]
    assert ignored, "zlib itself ignores padding bits, which is why SC1 checks them"
    assert inflate(stream) == zlib.decompress(stream)
    for variant in ignored:
        with pytest.raises(MalformedCredential) as raised:
            inflate(variant)
        assert raised.value.layer == "zlib"


@pytest.mark.parametrize("text", ["SC1:\ud800", "SC1:\x00\x00\x00", "SC1:" + "\u4e2d" * 3])
def test_text_outside_ascii_is_a_base45_failure_not_a_crash(text: str) -> None:
    with pytest.raises(MalformedCredential) as raised:
        decode(text)
    assert raised.value.layer == "base45"
