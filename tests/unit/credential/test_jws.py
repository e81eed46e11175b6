from __future__ import annotations

import json

import pytest

from opcert.credential.base64url import b64url_decode, b64url_encode
from opcert.credential.errors import JwsError
from opcert.credential.jws import parse_json_object, read_header, sign_compact, verify_compact
from opcert.credential.keys import SoftwareSigner


def test_a_compact_jws_round_trips(signer: SoftwareSigner) -> None:
    jws = sign_compact({"alg": "EdDSA", "kid": "k"}, b'{"a":1}', signer)
    header, payload = verify_compact(jws, signer.public_key(), "EdDSA")
    assert header == {"alg": "EdDSA", "kid": "k"}
    assert payload == b'{"a":1}'
    assert read_header(jws) == header


def test_an_es256_jws_carries_a_raw_64_byte_signature(es256_signer: SoftwareSigner) -> None:
    jws = sign_compact({"alg": "ES256"}, b"x", es256_signer)
    assert len(b64url_decode(jws.split(".")[2])) == 64
    assert verify_compact(jws, es256_signer.public_key(), "ES256")[1] == b"x"


def test_a_header_cannot_claim_another_alg_than_the_signer_uses(signer: SoftwareSigner) -> None:
    with pytest.raises(ValueError):
        sign_compact({"alg": "ES256"}, b"x", signer)


def test_a_changed_payload_fails_verification(signer: SoftwareSigner) -> None:
    header, _, signature = sign_compact({"alg": "EdDSA"}, b"x", signer).split(".")
    with pytest.raises(JwsError):
        verify_compact(f"{header}.{b64url_encode(b'y')}.{signature}", signer.public_key(), "EdDSA")


def test_the_expected_alg_is_enforced(signer: SoftwareSigner) -> None:
    jws = sign_compact({"alg": "EdDSA"}, b"x", signer)
    with pytest.raises(JwsError):
        verify_compact(jws, signer.public_key(), "ES256")


def test_a_crit_header_is_refused(signer: SoftwareSigner) -> None:
    jws = sign_compact({"alg": "EdDSA", "crit": ["exp"], "exp": 1}, b"x", signer)
    with pytest.raises(JwsError):
        verify_compact(jws, signer.public_key(), "EdDSA")


def test_another_key_does_not_verify(signer: SoftwareSigner, root: SoftwareSigner) -> None:
    jws = sign_compact({"alg": "EdDSA"}, b"x", signer)
    with pytest.raises(JwsError):
        verify_compact(jws, root.public_key(), "EdDSA")


@pytest.mark.parametrize(
    "jws",
    ["", "a.b", "a.b.c.d", "!!.e30.AA", f"{b64url_encode(b'[1]')}.e30.AA", "ä.b.c"],
    ids=["empty", "two parts", "four parts", "not base64url", "header not object", "non ascii"],
)
def test_a_malformed_jws_is_a_jws_error(signer: SoftwareSigner, jws: str) -> None:
    with pytest.raises(JwsError):
        verify_compact(jws, signer.public_key(), "EdDSA")


@pytest.mark.parametrize("text", ['{"a":1,"a":2}', '{"a":NaN}', "[1]", '"x"', "{", "[" * 100000])
def test_strict_json_refuses_duplicates_constants_non_objects_and_deep_nesting(text: str) -> None:
    with pytest.raises(ValueError):
        parse_json_object(text.encode())


def test_strict_json_reads_a_plain_object() -> None:
    assert parse_json_object(json.dumps({"名": 1}, ensure_ascii=False).encode()) == {"名": 1}
