from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from opcert.credential.keys import (
    ALG_EDDSA,
    ALG_ES256,
    SoftwareSigner,
    cose_alg,
    fingerprint,
    generate_private_key,
    jose_alg,
    kid_b64,
    kid_for,
    kid_from_b64,
    private_key_from_pem,
    private_key_to_pem,
    public_jwk,
    public_key_from_jwk,
    read_private_key,
    verify_signature,
    write_private_key,
)

PASSPHRASE = b"correct horse battery staple"


def test_cose_and_jose_algorithm_names_map_both_ways() -> None:
    assert (ALG_EDDSA, ALG_ES256) == (-8, -7)
    assert jose_alg(-8) == "EdDSA" and jose_alg(-7) == "ES256"
    assert cose_alg("EdDSA") == -8 and cose_alg("ES256") == -7


@pytest.mark.parametrize("cose", [-35, -37, 0])
def test_a_cose_algorithm_sc1_does_not_use_has_no_jose_name(cose: int) -> None:
    with pytest.raises(ValueError):
        jose_alg(cose)


@pytest.mark.parametrize("jose", ["RS256", "ES384", "none", ""])
def test_a_jose_algorithm_sc1_does_not_use_has_no_cose_id(jose: str) -> None:
    with pytest.raises(ValueError):
        cose_alg(jose)


def test_the_kid_is_the_first_8_bytes_of_sha256_over_the_der_spki(signer: SoftwareSigner) -> None:
    spki = signer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert kid_for(signer.public_key()) == hashlib.sha256(spki).digest()[:8]
    assert signer.kid == kid_for(signer.public_key())


def test_a_kid_round_trips_through_unpadded_base64url(signer: SoftwareSigner) -> None:
    text = kid_b64(signer.kid)
    assert len(text) == 11 and "=" not in text
    assert kid_from_b64(text) == signer.kid


def test_an_eddsa_signer_signs_what_verify_signature_accepts(signer: SoftwareSigner) -> None:
    signature = signer.sign(b"data")
    assert signer.alg == ALG_EDDSA
    assert verify_signature(signer.public_key(), ALG_EDDSA, b"data", signature)
    assert not verify_signature(signer.public_key(), ALG_EDDSA, b"other", signature)


def test_an_es256_signer_produces_raw_64_byte_r_s_signatures(es256_signer: SoftwareSigner) -> None:
    signature = es256_signer.sign(b"data")
    assert es256_signer.alg == ALG_ES256 and len(signature) == 64
    assert verify_signature(es256_signer.public_key(), ALG_ES256, b"data", signature)


@pytest.mark.parametrize("length", [0, 1, 63, 65, 72, 128])
def test_a_wrong_length_signature_is_false_not_an_exception(
    signer: SoftwareSigner, es256_signer: SoftwareSigner, length: int
) -> None:
    junk = bytes(length)
    assert not verify_signature(signer.public_key(), ALG_EDDSA, b"data", junk)
    assert not verify_signature(es256_signer.public_key(), ALG_ES256, b"data", junk)


def test_an_algorithm_that_does_not_fit_the_key_never_verifies(
    signer: SoftwareSigner, es256_signer: SoftwareSigner
) -> None:
    assert not verify_signature(signer.public_key(), ALG_ES256, b"d", signer.sign(b"d"))
    assert not verify_signature(es256_signer.public_key(), ALG_EDDSA, b"d", es256_signer.sign(b"d"))
    assert not verify_signature(signer.public_key(), -35, b"d", signer.sign(b"d"))


def test_es256_demands_a_p256_key() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError):
        SoftwareSigner(p384)
    assert not verify_signature(p384.public_key(), ALG_ES256, b"d", bytes(64))


def test_the_signer_repr_shows_the_kid_and_never_the_key(signer: SoftwareSigner) -> None:
    assert kid_b64(signer.kid) in repr(signer)
    assert "PrivateKey" not in repr(signer)


def test_an_ed25519_jwk_has_the_okp_shape_and_round_trips(signer: SoftwareSigner) -> None:
    jwk = public_jwk(signer.public_key())
    assert set(jwk) == {"kty", "crv", "x"}
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    assert public_key_from_jwk(jwk) == signer.public_key()


def test_a_p256_jwk_has_the_ec_shape_and_round_trips(es256_signer: SoftwareSigner) -> None:
    jwk = public_jwk(es256_signer.public_key())
    assert set(jwk) == {"kty", "crv", "x", "y"}
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    assert public_key_from_jwk({**jwk, "kid": "ignored"}) == es256_signer.public_key()


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "OKP", "crv": "X25519", "x": "A" * 43},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43},
        "not a dict",
    ],
    ids=["rsa", "x25519", "short x", "no x", "point not on curve", "not an object"],
)
def test_an_unusable_jwk_is_refused_with_value_error(jwk: object) -> None:
    with pytest.raises(ValueError):
        public_key_from_jwk(jwk)


def test_the_fingerprint_is_sha256_hex_in_groups_of_four(signer: SoftwareSigner) -> None:
    printed = fingerprint(signer.public_key())
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){15}", printed)
    spki = signer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert printed.replace(" ", "") == hashlib.sha256(spki).hexdigest().upper()


@pytest.mark.parametrize("alg", [ALG_EDDSA, ALG_ES256])
def test_a_private_key_round_trips_through_encrypted_pem(alg: int) -> None:
    key = generate_private_key(alg)
    pem = private_key_to_pem(key, PASSPHRASE)
    assert b"ENCRYPTED PRIVATE KEY" in pem
    loaded = private_key_from_pem(pem, PASSPHRASE)
    assert kid_for(loaded.public_key()) == kid_for(key.public_key())


def test_a_wrong_passphrase_is_a_value_error() -> None:
    pem = private_key_to_pem(Ed25519PrivateKey.generate(), PASSPHRASE)
    with pytest.raises(ValueError):
        private_key_from_pem(pem, b"wrong")


def test_a_key_is_never_written_without_a_passphrase() -> None:
    with pytest.raises(ValueError):
        private_key_to_pem(Ed25519PrivateKey.generate(), b"")


def test_a_written_key_file_is_mode_0600_and_reads_back(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "issuer.key"
    write_private_key(path, key, PASSPHRASE)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert kid_for(read_private_key(path, PASSPHRASE).public_key()) == kid_for(key.public_key())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.key"]


def test_writing_a_key_never_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "issuer.key"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        write_private_key(path, Ed25519PrivateKey.generate(), PASSPHRASE)
    assert path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.key"]
