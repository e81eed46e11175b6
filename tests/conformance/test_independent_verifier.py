"""An SC1 verifier written from docs/spec credential.md alone checks what opcert produces.

The verifier half of this file imports nothing from opcert: only base45,
zlib, cbor2, cryptography and the standard library, the way a province or an
employer would build one from the published spec. opcert is used only to
produce the credential, the trust list and the status list under test.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import base45
import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

# opcert produces what is verified; the verifier below never touches these.
from opcert.credential.claims import CertificateClaims, CredentialPayload
from opcert.credential.keys import (
    ALG_EDDSA,
    ALG_ES256,
    SoftwareSigner,
    generate_private_key,
)
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import StatusBits, StatusList, sign_status_list
from opcert.credential.trustlist import (
    KeyStatus,
    TrustedKey,
    TrustList,
    sign_trust_list,
)

# ---------------------------------------------------------------------------
# The independent verifier (spec sections 1 to 6).
# ---------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_from_jwk(jwk: dict[str, str]) -> Any:
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
        return Ed25519PublicKey.from_public_bytes(b64url(jwk["x"]))
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    x, y = (int.from_bytes(b64url(jwk[c]), "big") for c in ("x", "y"))
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def kid_of(public_key: Any) -> bytes:
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()[:8]


def signature_ok(public_key: Any, alg: str, data: bytes, signature: bytes) -> bool:
    try:
        if alg == "EdDSA":
            public_key.verify(signature, data)
        elif alg == "ES256" and len(signature) == 64:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def open_jws(jws: str, public_key: Any, alg: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header_b64, payload_b64, signature_b64 = jws.split(".")
    header = json.loads(b64url(header_b64))
    signed = f"{header_b64}.{payload_b64}".encode()
    assert header["alg"] == alg, "JWS alg"
    assert signature_ok(public_key, alg, signed, b64url(signature_b64)), "JWS signature"
    return header, json.loads(b64url(payload_b64))


def read_trust_list(jws: str, root_key: Any) -> dict[bytes, dict[str, Any]]:
    """Section 4: verified with the pinned root key; keys by kid, with their public key."""
    header, payload = open_jws(jws, root_key, "EdDSA")
    assert b64url(header["kid"]) == kid_of(root_key)
    keys = {}
    for entry in payload["keys"]:
        public_key = key_from_jwk(entry["jwk"])
        assert b64url(entry["kid"]) == kid_of(public_key), "kid is derived from the key"
        keys[b64url(entry["kid"])] = {**entry, "public_key": public_key}
    return keys


def read_status_entry(jws: str, keys: dict[bytes, dict[str, Any]], index: int) -> int:
    """Section 5: a list signed by its issuer's key (or the root); entry i is bits 2i, 2i+1."""
    key = keys[b64url(json.loads(b64url(jws.split(".")[0]))["kid"])]
    _, payload = open_jws(jws, key["public_key"], key["alg"])
    assert key["issuer"] in (payload["iss"], "CN")
    bitstring = gzip.decompress(b64url(payload["bits"]))
    assert len(bitstring) >= 16 * 1024

    def bit(n: int) -> int:
        return (bitstring[n // 8] >> (7 - n % 8)) & 1

    return bit(2 * index) * 2 + bit(2 * index + 1)


@dataclass
class Envelope:
    protected: bytes
    header: dict[int, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes
    claims: dict[int, Any]
    tagged: bool


def take_apart(text: str) -> Envelope:
    """Sections 1 to 3: strip SC1:, Base45, ZLIB, COSE_Sign1 (tagged or not), CWT."""
    assert text.startswith("SC1:")
    cose = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
    tagged = isinstance(cose, cbor2.CBORTag)
    if tagged:
        assert cose.tag == 18
        cose = cose.value
    protected, unprotected, payload, signature = cose
    header = cbor2.loads(protected)
    claims = cbor2.loads(payload)
    return Envelope(protected, header, unprotected, payload, signature, claims, tagged)


def spec_verify(
    text: str, trust_list: str, root_key: Any, status_lists: dict[str, str], now: datetime
) -> str:
    """Section 6, step by step, returning the verdict."""
    keys = read_trust_list(trust_list, root_key)
    try:
        envelope = take_apart(text)
    except Exception:
        return "MALFORMED"
    key = keys.get(envelope.header.get(4, b""))
    if key is None:
        return "UNKNOWN_KEY"
    sig_structure = cbor2.dumps(["Signature1", envelope.protected, b"", envelope.payload])
    alg = {-8: "EdDSA", -7: "ES256"}.get(envelope.header.get(1, 0), "none")
    if alg != key["alg"] or not signature_ok(
        key["public_key"], alg, sig_structure, envelope.signature
    ):
        return "BAD_SIGNATURE"
    claims, certificate = envelope.claims, envelope.claims[-65537]
    if key["status"] == "revoked" and claims[6] >= key["revoked_at"]:
        return "KEY_REVOKED"
    if claims[1] != key["issuer"]:
        return "BAD_SIGNATURE"
    validity_start = datetime.combine(
        date.fromisoformat(certificate["vfr"]), datetime.min.time(), SHANGHAI
    )
    if now < validity_start:
        return "NOT_YET_VALID"
    if now.timestamp() >= claims[4]:
        return "EXPIRED"
    list_id, index = certificate["st"]
    status = read_status_entry(status_lists[list_id], keys, index)
    return {0: "VALID", 1: "REVOKED", 2: "SUPERSEDED", 3: "SUSPENDED"}[status]


# ---------------------------------------------------------------------------
# What opcert produces (the only place opcert is imported).
# ---------------------------------------------------------------------------

NOW = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)
SIGNED_AT = int(datetime(2026, 11, 20, 1, 30, tzinfo=UTC).timestamp())
LIST_ID = "CN-440400-0001"


@dataclass
class Platform:
    root: SoftwareSigner
    issuer: SoftwareSigner
    es256_issuer: SoftwareSigner


@pytest.fixture(scope="module")
def platform() -> Platform:
    return Platform(
        root=SoftwareSigner(generate_private_key(ALG_EDDSA)),
        issuer=SoftwareSigner(generate_private_key(ALG_EDDSA)),
        es256_issuer=SoftwareSigner(generate_private_key(ALG_ES256)),
    )


def credential(
    signer: SoftwareSigner,
    *,
    iss: str = "CN-440400",
    vfr: str = "2026-11-20",
    vto: str = "2032-11-20",
    index: int = 7,
) -> str:
    certificate = CertificateClaims(
        typ="SO",
        no="T440402199003071234",
        nam="李四",
        sex=2,
        cat="1",
        itm="1.2",
        itn="低压电工作业",
        fst="2026-11-20",
        vfr=vfr,
        vto=vto,
        rvd="2029-11-20",
        aut="珠海市应急管理局",
        rs="MEM19",
        st=(LIST_ID, index),
    )
    exp = int(
        datetime.combine(
            date.fromisoformat(vto) + timedelta(days=1), datetime.min.time(), SHANGHAI
        ).timestamp()
    )
    payload = CredentialPayload(
        iss=iss, iat=SIGNED_AT, exp=exp, cti=bytes(16), certificate=certificate
    )
    return encode(payload, signer)


def trust_list(platform: Platform, *, revoked_at: int | None = None) -> str:
    def entry(signer: SoftwareSigner, alg: str) -> TrustedKey:
        status = KeyStatus.REVOKED if revoked_at is not None else KeyStatus.ACTIVE
        return TrustedKey(
            signer.kid,
            "CN-440400",
            alg,
            signer.public_key(),
            SIGNED_AT - 10,
            None,
            status,
            revoked_at,
        )

    keys = (entry(platform.issuer, "EdDSA"), entry(platform.es256_issuer, "ES256"))
    return sign_trust_list(TrustList("CN", SIGNED_AT, SIGNED_AT + 10**8, keys), platform.root)


def status_lists(platform: Platform, values: dict[int, int] | None = None) -> dict[str, str]:
    bits = StatusBits.from_values(65536, values or {})
    status_list = StatusList(LIST_ID, "CN-440400", int(NOW.timestamp()) - 60, 3600, bits)
    return {LIST_ID: sign_status_list(status_list, platform.issuer)}


def check(
    platform: Platform,
    text: str,
    *,
    now: datetime = NOW,
    statuses: dict[int, int] | None = None,
    revoked_at: int | None = None,
) -> str:
    return spec_verify(
        text,
        trust_list(platform, revoked_at=revoked_at),
        platform.root.public_key(),
        status_lists(platform, statuses),
        now,
    )


# ---------------------------------------------------------------------------
# The acceptance checks.
# ---------------------------------------------------------------------------


def test_the_envelope_is_exactly_what_the_spec_describes(platform: Platform) -> None:
    envelope = take_apart(credential(platform.issuer))
    assert envelope.tagged
    assert envelope.header == {1: -8, 4: kid_of(platform.issuer.public_key())}
    assert envelope.protected[:2] == bytes([0xA2, 0x01])  # {1: alg, ...}: alg first
    assert envelope.unprotected == {}
    assert set(envelope.claims) == {1, 4, 6, 7, -65537}
    assert len(envelope.claims[7]) == 16


def test_a_credential_in_force_is_valid_for_the_independent_verifier(platform: Platform) -> None:
    assert check(platform, credential(platform.issuer)) == "VALID"


def test_an_es256_credential_is_valid_for_the_independent_verifier(platform: Platform) -> None:
    assert check(platform, credential(platform.es256_issuer)) == "VALID"


@pytest.mark.parametrize(
    ("value", "verdict"), [(1, "REVOKED"), (2, "SUPERSEDED"), (3, "SUSPENDED")]
)
def test_status_entries_mean_what_the_spec_says(
    platform: Platform, value: int, verdict: str
) -> None:
    statuses = {6: 3, 7: value, 8: 1}
    assert check(platform, credential(platform.issuer), statuses=statuses) == verdict


def test_the_validity_window_is_read_in_beijing_time(platform: Platform) -> None:
    text = credential(platform.issuer, vfr="2027-03-02", vto="2027-03-05")
    first_instant = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
    assert check(platform, text, now=first_instant - timedelta(seconds=1)) == "NOT_YET_VALID"
    assert check(platform, text, now=first_instant) == "VALID"
    assert check(platform, text, now=datetime(2027, 3, 5, 15, 59, 59, tzinfo=UTC)) == "VALID"
    assert check(platform, text, now=datetime(2027, 3, 5, 16, 0, tzinfo=UTC)) == "EXPIRED"


def test_a_key_revoked_before_signing_voids_the_credential(platform: Platform) -> None:
    assert check(platform, credential(platform.issuer), revoked_at=SIGNED_AT) == "KEY_REVOKED"
    assert check(platform, credential(platform.issuer), revoked_at=SIGNED_AT + 1) == "VALID"


def test_another_issuers_claim_is_a_bad_signature(platform: Platform) -> None:
    assert check(platform, credential(platform.issuer, iss="CN-500000")) == "BAD_SIGNATURE"


def test_a_key_outside_the_trust_list_is_unknown(platform: Platform) -> None:
    assert check(platform, credential(platform.root)) == "UNKNOWN_KEY"


def test_a_changed_payload_byte_breaks_the_signature(platform: Platform) -> None:
    envelope = take_apart(credential(platform.issuer))
    payload = envelope.payload.replace("李四".encode(), "王五".encode())
    forged = cbor2.dumps(cbor2.CBORTag(18, [envelope.protected, {}, payload, envelope.signature]))
    text = "SC1:" + base45.b45encode(zlib.compress(forged)).decode()
    assert check(platform, text) == "BAD_SIGNATURE"


def test_the_trust_list_payload_has_the_spec_members(platform: Platform) -> None:
    _, payload = open_jws(trust_list(platform), platform.root.public_key(), "EdDSA")
    assert set(payload) == {"iss", "iat", "exp", "keys"}
    assert set(payload["keys"][0]) == {
        "kid",
        "issuer",
        "alg",
        "jwk",
        "nbf",
        "exp",
        "status",
        "revoked_at",
    }
