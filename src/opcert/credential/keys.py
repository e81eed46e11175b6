"""Signing keys: algorithm ids, key ids, signers, JWKs and signature checks.

Two algorithms exist in SC1 (spec section 2): EdDSA over Ed25519 (COSE -8,
the default) and ES256, ECDSA over P-256 with SHA-256 (COSE -7), whose
signatures are always the raw 64-byte `r || s`, in COSE and in JWS alike.
"""

from __future__ import annotations

import hashlib
from typing import Protocol, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from opcert.credential.base64url import b64url_decode, b64url_encode
from opcert.credential.keyfiles import (
    private_key_from_pem,
    private_key_to_pem,
    read_private_key,
    write_private_key,
)
from opcert.credential.keytypes import PrivateKey, PublicKey

__all__ = [
    "ALG_EDDSA",
    "ALG_ES256",
    "JOSE_EDDSA",
    "JOSE_ES256",
    "PrivateKey",
    "PublicKey",
    "Signer",
    "SoftwareSigner",
    "alg_for_key",
    "cose_alg",
    "fingerprint",
    "generate_private_key",
    "is_p256",
    "jose_alg",
    "kid_b64",
    "kid_for",
    "kid_from_b64",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_jwk",
    "public_key_from_jwk",
    "read_private_key",
    "spki_der",
    "verify_signature",
    "write_private_key",
]

ALG_EDDSA = -8
ALG_ES256 = -7
JOSE_EDDSA = "EdDSA"
JOSE_ES256 = "ES256"

_JOSE_BY_COSE = {ALG_EDDSA: JOSE_EDDSA, ALG_ES256: JOSE_ES256}
_COSE_BY_JOSE = {jose: cose for cose, jose in _JOSE_BY_COSE.items()}
_P256_COORDINATE_BYTES = 32
_ES256_SIGNATURE_BYTES = 2 * _P256_COORDINATE_BYTES
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def jose_alg(cose_alg: int) -> str:
    """The JOSE name of a COSE algorithm id; ValueError if SC1 does not use it."""
    try:
        return _JOSE_BY_COSE[cose_alg]
    except (KeyError, TypeError):
        raise ValueError(f"unsupported COSE algorithm {cose_alg!r}") from None


def cose_alg(jose: str) -> int:
    """The COSE id of a JOSE algorithm name; ValueError if SC1 does not use it."""
    try:
        return _COSE_BY_JOSE[jose]
    except (KeyError, TypeError):
        raise ValueError(f"unsupported JOSE algorithm {jose!r}") from None


def is_p256(public_key: object) -> TypeGuard[ec.EllipticCurvePublicKey]:
    """True for an EC public key on P-256 (secp256r1)."""
    return isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(
        public_key.curve, ec.SECP256R1
    )


def alg_for_key(key: PublicKey | PrivateKey) -> int:
    """The COSE algorithm a key signs with; ValueError for any other key type."""
    if isinstance(key, Ed25519PublicKey | Ed25519PrivateKey):
        return ALG_EDDSA
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        return ALG_ES256
    raise ValueError("only Ed25519 and P-256 keys are supported")


def spki_der(public_key: PublicKey) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def kid_for(public_key: PublicKey) -> bytes:
    """The key id of spec section 2: the first 8 bytes of SHA-256 over the DER SPKI."""
    return hashlib.sha256(spki_der(public_key)).digest()[:8]


def kid_b64(kid: bytes) -> str:
    """A key id as unpadded base64url, as in trust lists and JWS headers."""
    return b64url_encode(kid)


def kid_from_b64(text: str) -> bytes:
    """The inverse of `kid_b64`; ValueError if `text` is not strict base64url."""
    return b64url_decode(text)


def fingerprint(public_key: PublicKey) -> str:
    """SHA-256 of the DER SPKI in upper-case hex, grouped in fours, for reading aloud.

    This is what gets printed on paper and in the documentation so that a
    verifier can check the root key it pinned, e.g. "3F2A 9B01 ...".
    """
    digest = hashlib.sha256(spki_der(public_key)).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


class Signer(Protocol):
    """Something that signs with one key: software key, HSM, KMS.

    `alg` is the COSE algorithm id, `kid` the key id of `public_key()`.
    `sign` returns an Ed25519 signature or, for ES256, raw 64-byte `r || s`.
    """

    @property
    def alg(self) -> int: ...

    @property
    def kid(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> PublicKey: ...


class SoftwareSigner:
    """A `Signer` over a private key held in memory (Ed25519 or P-256).

    Raises ValueError at construction for any other key type.
    """

    __slots__ = ("_key", "_public_key", "alg", "kid")

    def __init__(self, private_key: PrivateKey) -> None:
        self.alg: int = alg_for_key(private_key)
        self._key = private_key
        self._public_key: PublicKey = private_key.public_key()
        self.kid: bytes = kid_for(self._public_key)

    def __repr__(self) -> str:
        return f"SoftwareSigner(alg={self.alg}, kid={kid_b64(self.kid)!r})"

    def sign(self, data: bytes) -> bytes:
        """Sign `data`; ES256 signatures come back as raw `r || s`."""
        key = self._key
        if isinstance(key, Ed25519PrivateKey):
            return key.sign(data)
        r, s = decode_dss_signature(key.sign(data, _ECDSA_SHA256))
        return r.to_bytes(_P256_COORDINATE_BYTES, "big") + s.to_bytes(_P256_COORDINATE_BYTES, "big")

    def public_key(self) -> PublicKey:
        return self._public_key

    def private_pkcs8(self) -> bytes:
        """The private key as unencrypted PKCS#8 DER, to hand the same key to a worker process
        of this platform (bulk signing); never written anywhere by this module."""
        return self._key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def generate_private_key(alg: int = ALG_EDDSA) -> PrivateKey:
    """A new private key for `alg` (EdDSA or ES256); ValueError for any other alg."""
    if alg == ALG_EDDSA:
        return Ed25519PrivateKey.generate()
    if alg == ALG_ES256:
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unsupported COSE algorithm {alg!r}")


def verify_signature(public_key: PublicKey, alg: int, data: bytes, signature: bytes) -> bool:
    """True if `signature` over `data` verifies with `public_key` under `alg`.

    Never raises for a bad signature, a signature of the wrong length, an
    unknown alg or an alg that does not fit the key: all of these are False.
    ES256 requires a P-256 key and a raw 64-byte `r || s` signature.
    """
    try:
        if alg == ALG_EDDSA and isinstance(public_key, Ed25519PublicKey):
            public_key.verify(signature, data)
            return True
        if alg == ALG_ES256 and is_p256(public_key) and len(signature) == _ES256_SIGNATURE_BYTES:
            der = encode_dss_signature(
                int.from_bytes(signature[:_P256_COORDINATE_BYTES], "big"),
                int.from_bytes(signature[_P256_COORDINATE_BYTES:], "big"),
            )
            public_key.verify(der, data, _ECDSA_SHA256)
            return True
    except (InvalidSignature, ValueError, TypeError):
        return False
    return False


def public_jwk(public_key: PublicKey) -> dict[str, str]:
    """The public JWK (RFC 8037 OKP for Ed25519, RFC 7518 EC for P-256)."""
    if isinstance(public_key, Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    if is_p256(public_key):
        numbers = public_key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(_P256_COORDINATE_BYTES, "big")),
            "y": b64url_encode(numbers.y.to_bytes(_P256_COORDINATE_BYTES, "big")),
        }
    raise ValueError("only Ed25519 and P-256 keys are supported")


def public_key_from_jwk(jwk: object) -> PublicKey:
    """The public key of an OKP/Ed25519 or EC/P-256 JWK.

    Members other than kty, crv, x, y are ignored. Raises ValueError for any
    other key type, a coordinate of the wrong length, or a point not on P-256.
    """
    if not isinstance(jwk, dict):
        raise ValueError("a JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        return Ed25519PublicKey.from_public_bytes(_jwk_coordinate(jwk, "x"))
    if kty == "EC" and crv == "P-256":
        point = b"\x04" + _jwk_coordinate(jwk, "x") + _jwk_coordinate(jwk, "y")
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    raise ValueError(f"unsupported JWK kty={kty!r} crv={crv!r}")


def _jwk_coordinate(jwk: dict[object, object], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"JWK member {name!r} missing")
    raw = b64url_decode(value)
    if len(raw) != _P256_COORDINATE_BYTES:
        raise ValueError(f"JWK member {name!r} must be 32 bytes")
    return raw
