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


def fingerprint_of(key) -> str:
    """Section 4: lowercase hex SHA-256 of the root key's DER SubjectPublicKeyInfo."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def trust_list(jws: str, root_jwk: dict, pinned: str | None = None) -> dict[bytes, dict]:
    """Keys of a trust list by kid, after checking the root's signature.

    The root is pinned (section 4): when ``pinned`` is given, a root key with another fingerprint
    raises ValueError("UNTRUSTED_ROOT"), as does a list the root did not sign.
    """
    root = jwk_key(root_jwk)
    if pinned is not None and fingerprint_of(root) != pinned:
        raise ValueError("UNTRUSTED_ROOT")
    try:
        payload = open_jws(jws, root)
    except ValueError:
        raise ValueError("UNTRUSTED_ROOT") from None
    return {b64url(k["kid"]): k for k in payload["keys"]}


def status_list(jws: str, keys: dict[bytes, dict]) -> dict:
    """The verified payload of a status list JWS."""
    header = json.loads(b64url(jws.split(".")[0]))
    entry = keys[b64url(header["kid"])]
    return open_jws(jws, jwk_key(entry["jwk"]))


def status_value(payload: dict, index: int) -> int:
    bits = gzip.decompress(b64url(payload["bits"]))
    assert len(bits) >= 16384
    bit = lambda n: (bits[n // 8] >> (7 - n % 8)) & 1  # noqa: E731 - bit 0 is the MSB of byte 0
    return bit(2 * index) * 2 + bit(2 * index + 1)


def verify(
    text: str,
    keys: dict[bytes, dict],
    status_jws: dict[str, str],
    now: datetime,
    accepted: dict[str, int] | None = None,
    logged=None,
) -> tuple[str, dict | None]:
    """Section 6, step by step. ``status_jws`` maps list ids to served status list JWS;
    ``accepted`` is the highest ``rev`` accepted per list id (updated when a list is used);
    ``logged``, when given, answers whether the COSE_Sign1 bytes are in the log (step 6).
    The trust list (``keys``) was read with ``trust_list``, which checks the pinned root."""
    text = text.strip(" \t\n\r\x0b\x0c")  # step 0: ASCII white space only
    try:  # step 1
        assert text.startswith("SC1:")
        cose_bytes = zlib.decompress(base45.b45decode(text[4:]))
        cose = cbor2.loads(cose_bytes)
        if isinstance(cose, cbor2.CBORTag):
            assert cose.tag == 18
            cose = cose.value
        protected, unprotected, payload, signature = cose
        header = cbor2.loads(protected)
        assert isinstance(header, dict) and isinstance(payload, bytes)
    except Exception:
        return "MALFORMED", None
    entry = keys.get(header.get(4))  # step 2
    if entry is None:
        return "UNKNOWN_KEY", None
    alg = {-8: "EdDSA", -7: "ES256"}.get(header.get(1))  # step 3
    signed = cbor2.dumps(["Signature1", protected, b"", payload])
    if alg != entry["alg"] or not check(jwk_key(entry["jwk"]), alg, signed, signature):
        return "BAD_SIGNATURE", None
    try:  # only now are the claims read
        claims = cbor2.loads(payload)
        certificate = claims[-65537]
        iss, iat, exp = claims[1], claims[6], claims[4]
        vfr = datetime.fromisoformat(certificate["vfr"]).replace(tzinfo=CST)
        list_id, index = certificate["st"]
        assert isinstance(iss, str) and type(iat) is int and type(exp) is int
    except Exception:
        return "MALFORMED", None
    if entry["status"] == "revoked" and iat >= entry["revoked_at"]:  # step 4
        return "KEY_REVOKED", certificate
    if iss != entry["issuer"] or iat < entry["nbf"]:
        return "BAD_SIGNATURE", certificate
    if now < vfr:  # step 5
        return "NOT_YET_VALID", certificate
    if now.timestamp() >= exp:
        return "EXPIRED", certificate
    if logged is not None and not logged(cose_bytes):  # step 6
        return "NOT_LOGGED", certificate
    if list_id not in status_jws:  # step 7
        return "STATUS_UNKNOWN", certificate
    listed = status_list(status_jws[list_id], keys)
    accepted = {} if accepted is None else accepted
    if (
        "exp" not in listed
        or now.timestamp() >= listed["exp"]
        or listed.get("rev", -1) < accepted.get(list_id, 0)
    ):
        return "STATUS_UNKNOWN", certificate
    accepted[list_id] = max(accepted.get(list_id, 0), listed["rev"])
    value = status_value(listed, index)  # step 8
    verdict = {0: "VALID", 1: "REVOKED", 2: "SUPERSEDED", 3: "SUSPENDED"}[value]
    return verdict, certificate
