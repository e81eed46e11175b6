"""The pure parts of the PKCS#11 signer: key URIs and public points (no token needed)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from opcert.credential.keys import ALG_ES256, generate_private_key, spki_der
from opcert.credential.pkcs11_signer import parse_pkcs11_uri, pkcs11_uri, public_key_from_point


def test_a_key_uri_names_the_token_and_the_object_as_rfc_7512_says() -> None:
    assert (
        pkcs11_uri("opcert", "7p0K9RTCPXo") == "pkcs11:token=opcert;object=7p0K9RTCPXo;type=private"
    )


def test_a_key_uri_reads_back_even_with_characters_that_need_escaping() -> None:
    uri = pkcs11_uri("省级 HSM;1", "a=b")
    assert parse_pkcs11_uri(uri) == ("省级 HSM;1", "a=b")


@pytest.mark.parametrize("uri", ["file:key.pem", "pkcs11:token=only", "pkcs11:object=x"])
def test_anything_but_a_complete_pkcs11_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match="pkcs11"):
        parse_pkcs11_uri(uri)


@pytest.mark.parametrize("wrapped", [False, True], ids=["raw", "DER OCTET STRING"])
@pytest.mark.parametrize("alg", [-8, ALG_ES256], ids=["Ed25519", "P-256"])
def test_a_public_point_is_read_raw_or_wrapped(alg: int, wrapped: bool) -> None:
    public_key = generate_private_key(alg).public_key()
    point = public_key.public_bytes(
        serialization.Encoding.Raw if alg == -8 else serialization.Encoding.X962,
        serialization.PublicFormat.Raw
        if alg == -8
        else serialization.PublicFormat.UncompressedPoint,
    )
    if wrapped:
        point = bytes((0x04, len(point))) + point
    assert spki_der(public_key_from_point(point)) == spki_der(public_key)


def test_a_point_of_another_size_is_refused() -> None:
    with pytest.raises(ValueError, match="CKA_EC_POINT"):
        public_key_from_point(bytes(48))
