"""An SC1 verifier written from ../shared/spec/credential.md alone.

It shares no code with opcert: only base45, zlib, gzip, cbor2 and cryptography, used directly.
Tests use it to check that what the platform issues and serves is what the spec promises.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from datetime import datetime, timedelta, timezone

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

CST = timezone(timedelta(hours=8))


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_key(jwk: dict):
    if jwk["kty"] == "OKP":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64url(jwk["x"]))
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64url(jwk["x"]), "big"),
        int.from_bytes(b64url(jwk["y"]), "big"),
        ec.SECP256R1(),
    )
    return numbers.public_key()


def check(key, alg: str, data: bytes, signature: bytes) -> bool:
    try:
        if alg == "EdDSA":
            key.verify(signature, data)
        else:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def kid_of(key) -> bytes:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).digest()[:8]


def open_jws(jws: str, key) -> dict:
    header_b64, payload_b64, signature_b64 = jws.split(".")
    header = json.loads(b64url(header_b64))
    signed = f"{header_b64}.{payload_b64}".encode()
    if not check(key, header["alg"], signed, b64url(signature_b64)):
        raise ValueError("bad JWS signature")
    return json.loads(b64url(payload_b64))


def trust_list(jws: str, root_jwk: dict) -> dict[bytes, dict]:
    """Keys of a trust list by kid, after checking the root's signature (the root is pinned)."""
    payload = open_jws(jws, jwk_key(root_jwk))
    return {b64url(k["kid"]): k for k in payload["keys"]}


def status_value(jws: str, keys: dict[bytes, dict], index: int) -> int:
    header = json.loads(b64url(jws.split(".")[0]))
    entry = keys[b64url(header["kid"])]
    payload = open_jws(jws, jwk_key(entry["jwk"]))
    bits = gzip.decompress(b64url(payload["bits"]))
    assert len(bits) >= 16384
    bit = lambda n: (bits[n // 8] >> (7 - n % 8)) & 1  # noqa: E731 - bit 0 is the MSB of byte 0
    return bit(2 * index) * 2 + bit(2 * index + 1)


def verify(
    text: str, keys: dict[bytes, dict], status_jws: dict[str, str], now: datetime
) -> tuple[str, dict | None]:
    """Section 6, step by step. ``status_jws`` maps list ids to served status list JWS."""
    try:
        assert text.startswith("SC1:")
        cose = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
        if isinstance(cose, cbor2.CBORTag):
            assert cose.tag == 18
            cose = cose.value
        protected, unprotected, payload, signature = cose
        header = cbor2.loads(protected)
        claims = cbor2.loads(payload)
        certificate = claims[-65537]
    except Exception:
        return "MALFORMED", None
    entry = keys.get(header.get(4))
    if entry is None:
        return "UNKNOWN_KEY", certificate
    alg = {-8: "EdDSA", -7: "ES256"}.get(header.get(1))
    signed = cbor2.dumps(["Signature1", protected, b"", payload])
    if alg != entry["alg"] or not check(jwk_key(entry["jwk"]), alg, signed, signature):
        return "BAD_SIGNATURE", certificate
    if entry["status"] == "revoked" and claims[6] >= entry["revoked_at"]:
        return "KEY_REVOKED", certificate
    if claims[1] != entry["issuer"]:
        return "BAD_SIGNATURE", certificate
    start = datetime.fromisoformat(certificate["vfr"]).replace(tzinfo=CST)
    if now < start:
        return "NOT_YET_VALID", certificate
    if now.timestamp() >= claims[4]:
        return "EXPIRED", certificate
    list_id, index = certificate["st"]
    value = status_value(status_jws[list_id], keys, index)
    verdict = {0: "VALID", 1: "REVOKED", 2: "SUPERSEDED", 3: "SUSPENDED"}[value]
    return verdict, certificate
