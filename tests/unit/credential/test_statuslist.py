from __future__ import annotations

import gzip
import json
import time

import pytest

from opcert.credential.base64url import b64url_decode, b64url_encode
from opcert.credential.errors import StatusListError
from opcert.credential.jws import sign_compact
from opcert.credential.keys import SoftwareSigner, kid_b64
from opcert.credential.statuslist import (
    ENTRIES_PER_LIST,
    MIN_BITSTRING_BYTES,
    StatusBits,
    parse_status_list,
    sign_status_list,
)
from opcert.credential.trustlist import KeyStatus

from .builders import make_status_list, make_trust_list, make_trusted_key


def test_entry_i_is_bits_2i_and_2i_plus_1_counting_from_the_top_bit_of_byte_0() -> None:
    bits = StatusBits(ENTRIES_PER_LIST)
    bits.set(0, 2)  # bit 0 = 1, bit 1 = 0
    bits.set(1, 1)  # bit 2 = 0, bit 3 = 1
    bits.set(7, 3)  # bits 14 and 15
    raw = bits.to_bytes()
    assert raw[0] == 0b1001_0000
    assert raw[1] == 0b0000_0011
    assert (bits.get(0), bits.get(1), bits.get(2), bits.get(7)) == (2, 1, 0, 3)


def test_the_bitstring_is_never_shorter_than_16_kib() -> None:
    assert len(StatusBits(10).to_bytes()) == MIN_BITSTRING_BYTES
    assert StatusBits(10).capacity == 65536
    assert len(StatusBits(100_000).to_bytes()) == 25_000


def test_setting_an_entry_leaves_its_neighbours_alone() -> None:
    bits = StatusBits.from_values(16, {4: 3, 5: 3, 6: 3, 7: 3})
    bits.set(5, 0)
    assert [bits.get(i) for i in range(4, 8)] == [3, 0, 3, 3]


def test_building_from_values_equals_setting_each_entry() -> None:
    values = {i: (i * 7) % 4 for i in range(0, 65536, 3)}
    one_by_one = StatusBits(ENTRIES_PER_LIST)
    for index, value in values.items():
        one_by_one.set(index, value)
    assert StatusBits.from_values(ENTRIES_PER_LIST, values) == one_by_one
    assert StatusBits.from_values(ENTRIES_PER_LIST, list(values.items())) == one_by_one


def test_building_a_full_list_of_65536_entries_is_fast() -> None:
    values = [(i, i % 4) for i in range(ENTRIES_PER_LIST)]
    started = time.perf_counter()
    bits = StatusBits.from_values(ENTRIES_PER_LIST, values)
    assert time.perf_counter() - started < 0.25
    assert [bits.get(i) for i in (0, 1, 2, 3, 65535)] == [0, 1, 2, 3, 3]


@pytest.mark.parametrize(
    ("values", "error"),
    [({65536: 1}, IndexError), ({-1: 1}, IndexError), ({3: 4}, ValueError)],
)
def test_out_of_range_indexes_and_values_are_refused(
    values: dict[int, int], error: type[Exception]
) -> None:
    with pytest.raises(error):
        StatusBits.from_values(ENTRIES_PER_LIST, values)
    bits = StatusBits(ENTRIES_PER_LIST)
    with pytest.raises(error):
        bits.set(*next(iter(values.items())))


def test_the_encoded_bits_are_base64url_of_gzip_and_round_trip() -> None:
    bits = StatusBits.from_values(ENTRIES_PER_LIST, {12345: 1, 65535: 2})
    text = bits.encode()
    assert gzip.decompress(b64url_decode(text)) == bits.to_bytes()
    assert StatusBits.decode(text) == bits
    assert bits.encode() == text  # deterministic: no timestamp in the gzip header


@pytest.mark.parametrize(
    "text",
    [
        b64url_encode(gzip.compress(bytes(MIN_BITSTRING_BYTES - 1))),
        b64url_encode(gzip.compress(bytes(64 * 1024 * 1024))),
        b64url_encode(gzip.compress(bytes(MIN_BITSTRING_BYTES)) + b"junk"),
        b64url_encode(b"not gzip"),
        "!!",
    ],
    ids=["shorter than 16 KiB", "bomb", "trailing bytes", "not gzip", "not base64url"],
)
def test_unusable_bits_are_a_status_list_error(text: str) -> None:
    with pytest.raises(StatusListError):
        StatusBits.decode(text)


def test_a_status_list_signed_by_its_issuer_parses_back_equal(signer: SoftwareSigner) -> None:
    trust_list = make_trust_list(make_trusted_key(signer))
    status_list = make_status_list({12345: 1})
    parsed = parse_status_list(sign_status_list(status_list, signer), trust_list)
    assert parsed == status_list
    assert parsed.status_of(12345) == 1
    assert parsed.status_of(10**6) is None


def test_the_payload_has_the_spec_members(es256_signer: SoftwareSigner) -> None:
    jws = sign_status_list(make_status_list(), es256_signer)
    header = json.loads(b64url_decode(jws.split(".")[0]))
    payload = json.loads(b64url_decode(jws.split(".")[1]))
    assert (header["alg"], header["kid"]) == ("ES256", kid_b64(es256_signer.kid))
    assert set(payload) == {"list_id", "iss", "iat", "exp", "rev", "ttl", "bits"}


def test_the_root_may_sign_any_issuers_list(signer: SoftwareSigner, root: SoftwareSigner) -> None:
    trust_list = make_trust_list(make_trusted_key(root, issuer="CN"))
    assert (
        parse_status_list(sign_status_list(make_status_list(), root), trust_list).iss == "CN-440400"
    )


def test_another_issuers_key_may_not_sign_the_list(signer: SoftwareSigner) -> None:
    trust_list = make_trust_list(make_trusted_key(signer, issuer="CN-500000"))
    with pytest.raises(StatusListError):
        parse_status_list(sign_status_list(make_status_list(), signer), trust_list)


def test_a_key_missing_from_the_trust_list_may_not_sign_the_list(
    signer: SoftwareSigner, root: SoftwareSigner
) -> None:
    trust_list = make_trust_list(make_trusted_key(root))
    with pytest.raises(StatusListError):
        parse_status_list(sign_status_list(make_status_list(), signer), trust_list)


def test_a_revoked_key_may_not_sign_a_list_after_its_revocation(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer, status=KeyStatus.REVOKED, revoked_at=1000)
    with pytest.raises(StatusListError):
        parse_status_list(
            sign_status_list(make_status_list(iat=1000), signer), make_trust_list(key)
        )


def test_a_list_signed_with_an_alg_other_than_the_keys_is_refused(signer: SoftwareSigner) -> None:
    key = make_trusted_key(signer)
    header = b64url_encode(json.dumps({"alg": "ES256", "kid": kid_b64(signer.kid)}).encode())
    payload = b64url_encode(json.dumps(make_status_list().to_json()).encode())
    signature = b64url_encode(signer.sign(f"{header}.{payload}".encode()))
    jws = f"{header}.{payload}.{signature}"
    with pytest.raises(StatusListError, match="ES256"):
        parse_status_list(jws, make_trust_list(key))


def test_a_header_without_kid_is_refused(signer: SoftwareSigner) -> None:
    payload = json.dumps(make_status_list().to_json()).encode()
    jws = sign_compact({"alg": "EdDSA"}, payload, signer)
    with pytest.raises(StatusListError):
        parse_status_list(jws, make_trust_list(make_trusted_key(signer)))
