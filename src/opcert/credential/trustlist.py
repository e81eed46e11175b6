"""The trust list (spec section 4): which keys sign credentials, for whom, and their state.

It is a compact JWS signed by the national root key with EdDSA. A verifier
pins the root public key (compare its `fingerprint`) and never trusts a list
it cannot verify with that key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from opcert.credential.errors import JwsError, TrustListError
from opcert.credential.jws import compact_json, parse_json_object, sign_compact, verify_compact
from opcert.credential.keys import (
    ALG_EDDSA,
    JOSE_EDDSA,
    PublicKey,
    Signer,
    alg_for_key,
    cose_alg,
    kid_b64,
    kid_for,
    kid_from_b64,
    public_jwk,
    public_key_from_jwk,
)

ROOT_ISSUER = "CN"
TRUST_LIST_TYP = "opcert-trust-list+jwt"


class KeyStatus(StrEnum):
    """`active` signs now; `retired` signs no more, its credentials stay valid;
    `revoked` is compromised: credentials it signed at or after `revoked_at` are void."""

    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """One key of the trust list. `alg` is the JOSE name ("EdDSA" or "ES256").

    `cose_alg_id` is derived from `alg` once, so that verification compares
    integers. Construction raises ValueError for an unsupported `alg`.
    """

    kid: bytes
    issuer: str
    alg: str
    public_key: PublicKey
    nbf: int
    exp: int | None
    status: KeyStatus
    revoked_at: int | None
    cose_alg_id: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cose_alg_id", cose_alg(self.alg))

    def revokes(self, iat: int) -> bool:
        """True if this key is revoked for a credential signed at `iat`."""
        return (
            self.status is KeyStatus.REVOKED
            and self.revoked_at is not None
            and iat >= self.revoked_at
        )

    def to_json(self) -> dict[str, object]:
        """The key as the spec's JSON object."""
        return {
            "kid": kid_b64(self.kid),
            "issuer": self.issuer,
            "alg": self.alg,
            "jwk": public_jwk(self.public_key),
            "nbf": self.nbf,
            "exp": self.exp,
            "status": str(self.status),
            "revoked_at": self.revoked_at,
        }

    @classmethod
    def from_json(cls, obj: object) -> TrustedKey:
        """Read one key; TrustListError if any member is missing, of the wrong type or
        inconsistent (kid not derived from the key, alg not fitting the key,
        `revoked` without `revoked_at`)."""
        if not isinstance(obj, Mapping):
            raise TrustListError("a trust list key must be a JSON object")
        try:
            public_key = public_key_from_jwk(obj.get("jwk"))
            kid = kid_from_b64(_text(obj, "kid"))
            alg = _text(obj, "alg")
            alg_id = cose_alg(alg)
            status = KeyStatus(_text(obj, "status"))
        except ValueError as exc:
            raise TrustListError(f"trust list key: {exc}") from None
        if kid != kid_for(public_key):
            raise TrustListError(f"kid {kid_b64(kid)} is not derived from its key")
        if alg_id != alg_for_key(public_key):
            raise TrustListError(f"alg {alg!r} does not fit the key of {kid_b64(kid)}")
        revoked_at = _optional_int(obj, "revoked_at")
        if status is KeyStatus.REVOKED and revoked_at is None:
            raise TrustListError(f"revoked key {kid_b64(kid)} has no revoked_at")
        return cls(
            kid=kid,
            issuer=_text(obj, "issuer"),
            alg=alg,
            public_key=public_key,
            nbf=_int(obj, "nbf"),
            exp=_optional_int(obj, "exp"),
            status=status,
            revoked_at=revoked_at,
        )


@dataclass(frozen=True, slots=True)
class TrustList:
    """The verified content of a trust list. Construction raises ValueError on a repeated kid."""

    iss: str
    iat: int
    exp: int
    keys: tuple[TrustedKey, ...]
    _by_kid: dict[bytes, TrustedKey] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_kid = {key.kid: key for key in self.keys}
        if len(by_kid) != len(self.keys):
            raise ValueError("a kid appears twice in the trust list")
        object.__setattr__(self, "_by_kid", by_kid)

    def find(self, kid: bytes) -> TrustedKey | None:
        """The key with this kid, or None."""
        return self._by_kid.get(kid)

    def is_stale(self, now: float) -> bool:
        """True at or after the list's `exp` (epoch seconds): time to refresh, and to say so."""
        return now >= self.exp

    def to_json(self) -> dict[str, object]:
        """The spec's payload JSON object."""
        return {
            "iss": self.iss,
            "iat": self.iat,
            "exp": self.exp,
            "keys": [key.to_json() for key in self.keys],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> TrustList:
        """Read the payload; TrustListError for any missing or wrongly typed member."""
        keys = obj.get("keys")
        if not isinstance(keys, list):
            raise TrustListError("trust list: keys must be a list")
        try:
            return cls(
                iss=_text(obj, "iss"),
                iat=_int(obj, "iat"),
                exp=_int(obj, "exp"),
                keys=tuple(TrustedKey.from_json(key) for key in keys),
            )
        except ValueError as exc:
            raise TrustListError(f"trust list: {exc}") from None


def sign_trust_list(trust_list: TrustList, root: Signer) -> str:
    """The trust list as a compact JWS signed by the root; ValueError unless the root is EdDSA."""
    if root.alg != ALG_EDDSA:
        raise ValueError("the trust list is signed with EdDSA (spec section 4)")
    header = {"alg": JOSE_EDDSA, "kid": kid_b64(root.kid), "typ": TRUST_LIST_TYP}
    return sign_compact(header, compact_json(trust_list.to_json()), root)


def parse_trust_list(jws: str, root_public_key: PublicKey) -> TrustList:
    """Verify a trust list JWS with the pinned root key and read it.

    Raises TrustListError if the JWS is malformed, not EdDSA, not signed by
    `root_public_key`, names another kid or typ, or its payload is not a
    trust list.
    """
    try:
        header, payload = verify_compact(jws, root_public_key, JOSE_EDDSA)
    except JwsError as exc:
        raise TrustListError(f"trust list: {exc}") from None
    if header.get("kid", kid_b64(kid_for(root_public_key))) != kid_b64(kid_for(root_public_key)):
        raise TrustListError("trust list: the kid header is not the root key's")
    if header.get("typ", TRUST_LIST_TYP) != TRUST_LIST_TYP:
        raise TrustListError(f"trust list: unexpected typ {header.get('typ')!r}")
    try:
        obj = parse_json_object(payload)
    except ValueError as exc:
        raise TrustListError(f"trust list payload: {exc}") from None
    return TrustList.from_json(obj)


def _text(obj: Mapping[str, object], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise TrustListError(f"{name!r} must be text")
    return value


def _int(obj: Mapping[str, object], name: str) -> int:
    value = obj.get(name)
    if type(value) is not int:
        raise TrustListError(f"{name!r} must be an integer")
    return value


def _optional_int(obj: Mapping[str, object], name: str) -> int | None:
    return None if obj.get(name) is None else _int(obj, name)
