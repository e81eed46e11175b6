"""The TEST ONLY keys of the published SC1 test vectors, their trust list and status lists.

Everything is deterministic: every key comes from a fixed seed, Ed25519 and RFC 6979 ECDSA
signatures are deterministic, GZIP carries no time. `scripts.sc1_vectors.document` builds the
cases and the document on top of this.

THE PRIVATE KEYS HERE ARE PUBLIC. They exist to make test data and must never be trusted for
anything else: a trust list holding one of them is a forgery.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from opcert.credential.base64url import b64url_encode
from opcert.credential.claims import SHANGHAI
from opcert.credential.keys import (
    ALG_EDDSA,
    ALG_ES256,
    PrivateKey,
    PublicKey,
    SoftwareSigner,
    jose_alg,
    kid_b64,
    kid_for,
    public_jwk,
)
from opcert.credential.statuslist import StatusBits, StatusList, sign_status_list
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList

SEED_PREFIX = "opcert SC1 test vectors - TEST ONLY - never trust this key: "
WARNING = (
    "TEST ONLY. Every private key in this file is public. Never put one of these keys, or a "
    "trust list that holds one, in a real verifier."
)
CLOCK = datetime(2027, 3, 1, 12, 0, tzinfo=SHANGHAI)
TRUST_LIST_IAT = int(datetime(2027, 2, 28, 0, 0, tzinfo=SHANGHAI).timestamp())
TRUST_LIST_EXP = int(datetime(2027, 3, 31, 0, 0, tzinfo=SHANGHAI).timestamp())
STATUS_LIST_IAT = int(datetime(2027, 2, 28, 23, 0, tzinfo=SHANGHAI).timestamp())
STATUS_LIST_TTL = 86400
# Status lists carry `exp` and `rev` (spec section 5). The published lists must still speak for
# the latest validation clock of any case (the last second of a six-year validity), so their
# `exp` lies past every case's clock; cases about stale lists bring their own.
STATUS_LIST_EXP = int(datetime(2040, 1, 1, 0, 0, tzinfo=SHANGHAI).timestamp())
STATUS_LIST_REV = 1
KEY_NBF = int(datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI).timestamp())
REVOKED_AT = int(datetime(2027, 2, 15, 0, 0, tzinfo=SHANGHAI).timestamp())
ENTRIES = 65536
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_DETERMINISTIC_ES256 = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)


@dataclass(frozen=True, slots=True)
class VectorKey:
    """A TEST ONLY key derived from `SEED_PREFIX + name`; `trusted` keys go in the trust list
    (the root signs it and is pinned by verifiers, so it is not in it)."""

    name: str
    issuer: str
    alg: int
    status: KeyStatus = KeyStatus.ACTIVE
    revoked_at: int | None = None
    trusted: bool = True

    def private_key(self) -> PrivateKey:
        """Ed25519: the seed's SHA-256 is the private key; ES256: it is the scalar, mod n - 1, + 1."""
        digest = hashlib.sha256((SEED_PREFIX + self.name).encode("utf-8")).digest()
        if self.alg == ALG_EDDSA:
            return Ed25519PrivateKey.from_private_bytes(digest)
        scalar = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP256R1())

    def signer(self) -> VectorSigner:
        return VectorSigner(self.private_key())

    def to_json(self) -> dict[str, object]:
        private_key = self.private_key()
        public_key = private_key.public_key()
        return {
            "name": self.name,
            "test_only": True,
            "role": "root" if self.issuer == "CN" else "issuer",
            "issuer": self.issuer,
            "alg": jose_alg(self.alg),
            "kid": kid_b64(kid_for(public_key)),
            "in_trust_list": self.trusted,
            "status": str(self.status) if self.trusted else None,
            "revoked_at": self.revoked_at,
            "seed": SEED_PREFIX + self.name,
            "public_jwk": public_jwk(public_key),
            "private_jwk": private_jwk(private_key),
        }


class VectorSigner:
    """A `Signer` whose signatures are reproducible: Ed25519, or ES256 with RFC 6979 nonces."""

    def __init__(self, private_key: PrivateKey) -> None:
        self._software = SoftwareSigner(private_key)
        self._key = private_key
        self.alg: int = self._software.alg
        self.kid: bytes = self._software.kid

    def sign(self, data: bytes) -> bytes:
        if isinstance(self._key, Ed25519PrivateKey):
            return self._key.sign(data)
        r, s = decode_dss_signature(self._key.sign(data, _DETERMINISTIC_ES256))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_key(self) -> PublicKey:
        return self._software.public_key()


def private_jwk(private_key: PrivateKey) -> dict[str, str]:
    """The public JWK plus its private member `d` (RFC 8037 / RFC 7518)."""
    jwk = public_jwk(private_key.public_key())
    if isinstance(private_key, Ed25519PrivateKey):
        raw = private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    else:
        raw = private_key.private_numbers().private_value.to_bytes(32, "big")
    return {**jwk, "d": b64url_encode(raw)}


ROOT = VectorKey("national root", "CN", ALG_EDDSA, trusted=False)  # pinned, not listed
ZHUHAI = VectorKey("CN-440400 active", "CN-440400", ALG_EDDSA)
ZHUHAI_RETIRED = VectorKey("CN-440400 retired", "CN-440400", ALG_EDDSA, KeyStatus.RETIRED)
ZHUHAI_REVOKED = VectorKey(
    "CN-440400 compromised", "CN-440400", ALG_EDDSA, KeyStatus.REVOKED, REVOKED_AT
)
CHONGQING_ES256 = VectorKey("CN-500000 active ES256", "CN-500000", ALG_ES256)
UNTRUSTED = VectorKey("not in any trust list", "CN-440400", ALG_EDDSA, trusted=False)
# An attacker's own root and issuer key: the forged bundles of the UNTRUSTED_ROOT and NOT_LOGGED
# cases (a trust list of their own, a checkpoint of their own). Never in the national trust list.
FOREIGN_ROOT = VectorKey("attacker root", "CN", ALG_EDDSA, trusted=False)
FORGER = VectorKey("attacker issuer", "CN-440400", ALG_EDDSA, trusted=False)
KEYS = (
    ROOT,
    ZHUHAI,
    ZHUHAI_RETIRED,
    ZHUHAI_REVOKED,
    CHONGQING_ES256,
    UNTRUSTED,
    FOREIGN_ROOT,
    FORGER,
)
STATUS_LIST_SIGNERS = {"CN-440400-0001": ZHUHAI, "CN-500000-0001": CHONGQING_ES256}


class StatusSlots:
    """Hands out distinct, random-looking status indexes per list and records their values."""

    def __init__(self, seed: str = "opcert SC1 test vector slots") -> None:
        self._rng = random.Random(seed)
        self.values: dict[str, dict[int, int]] = {name: {} for name in STATUS_LIST_SIGNERS}

    def allocate(self, list_id: str, value: int) -> int:
        """A new index in `list_id` whose entry will hold `value`; KeyError for an unknown list."""
        taken = self.values[list_id]
        index = self._rng.randrange(ENTRIES)
        while index in taken:
            index = self._rng.randrange(ENTRIES)
        taken[index] = value
        return index


def trust_list() -> TrustList:
    """The trust list of every trusted issuer key (the root signs it and is not in it)."""
    keys = tuple(trusted_key(key) for key in KEYS if key.trusted)
    return TrustList(iss="CN", iat=TRUST_LIST_IAT, exp=TRUST_LIST_EXP, keys=keys)


def trusted_key(key: VectorKey) -> TrustedKey:
    """`key` as a trust list names it (valid from KEY_NBF, its status and revocation)."""
    public_key = key.private_key().public_key()
    alg, kid = jose_alg(key.alg), kid_for(public_key)
    return TrustedKey(kid, key.issuer, alg, public_key, KEY_NBF, None, key.status, key.revoked_at)


def signed_status_lists(slots: StatusSlots) -> dict[str, str]:
    """Each status list as a JWS signed by its issuer's active key."""
    return {
        list_id: status_list_jws(list_id, key, slots.values[list_id])
        for list_id, key in STATUS_LIST_SIGNERS.items()
    }


def status_list_jws(
    list_id: str,
    key: VectorKey,
    values: Mapping[int, int],
    *,
    iat: int = STATUS_LIST_IAT,
    exp: int = STATUS_LIST_EXP,
    rev: int = STATUS_LIST_REV,
) -> str:
    """A status list of `key`'s issuer holding `values` (index -> entry), signed by `key`."""
    bits = StatusBits.from_values(ENTRIES, dict(values))
    status_list = StatusList(list_id, key.issuer, iat, STATUS_LIST_TTL, bits, exp=exp, rev=rev)
    return sign_status_list(status_list, key.signer())
