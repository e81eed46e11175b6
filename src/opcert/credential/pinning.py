"""The pinned root (spec section 4): a trust list is trusted only when signed by a pinned root.

The root fingerprint is the lowercase hex SHA-256 of the root key's DER SubjectPublicKeyInfo.
A verifier is given its pins by its user (`--root-fingerprint`, `OPCERT_ROOT_FINGERPRINT`, or a
root key file named explicitly) or has them built in (`BUILT_IN_ROOT_FINGERPRINTS`). A root key
found beside the data it verifies (a `root-key.jwk` in a bundle) is only a candidate: it is used
when its fingerprint is pinned, never trusted by itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterable

from opcert.credential.errors import CredentialError, TrustListError
from opcert.credential.keys import PublicKey, spki_der
from opcert.credential.trustlist import TrustList, parse_trust_list

# The national production root's fingerprint goes here once the root key exists (lowercase
# hex, 64 characters): every install of the package then trusts it without being told. There
# is none yet, so the set is empty and a verifier must be given its pin by its user.
BUILT_IN_ROOT_FINGERPRINTS: frozenset[str] = frozenset()

FINGERPRINT_HEX_CHARS = 64
_HEX = frozenset("0123456789abcdef")


class UntrustedRoot(CredentialError):
    """The trust list is not signed by a pinned root (verdict UNTRUSTED_ROOT).

    `fingerprint` is the fingerprint of the root key that was offered, if any.
    """

    def __init__(self, message_zh: str, message_en: str, fingerprint: str | None = None) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.fingerprint = fingerprint


def root_fingerprint(public_key: PublicKey) -> str:
    """The spec's root fingerprint: lowercase hex SHA-256 of the DER SPKI (64 characters)."""
    return hashlib.sha256(spki_der(public_key)).hexdigest()


def grouped(fingerprint: str) -> str:
    """A fingerprint in upper-case groups of four, for reading aloud ("3F2A 9B01 ...")."""
    upper = fingerprint.upper()
    return " ".join(upper[i : i + 4] for i in range(0, len(upper), 4))


def parse_fingerprint(text: str) -> str:
    """A fingerprint as given by a person, in the spec's form (lowercase hex).

    Upper case, spaces and colons (the grouped and the colon-separated forms) are accepted;
    ValueError for anything else or a length other than 64 hex digits.
    """
    cleaned = "".join(ch for ch in text.strip() if ch not in " :").lower()
    if len(cleaned) != FINGERPRINT_HEX_CHARS or not set(cleaned) <= _HEX:
        raise ValueError(f"not a SHA-256 fingerprint (64 hex digits): {text[:80]!r}")
    return cleaned


def is_pinned(fingerprint: str, pins: Iterable[str]) -> bool:
    """True if `fingerprint` equals one of `pins` (compared in constant time)."""
    return any(hmac.compare_digest(fingerprint, pin) for pin in pins)


def pinned_trust_list(
    jws: str, root_key: PublicKey | None, pins: Collection[str]
) -> tuple[TrustList, str]:
    """Verify a trust list with a root key whose fingerprint is pinned; (list, fingerprint).

    Raises UntrustedRoot when no root key is at hand, when its fingerprint is not one of `pins`,
    or when the list does not verify with it (signed by another key, altered, not a trust list).
    """
    if root_key is None:
        raise UntrustedRoot(
            "没有可用的根公钥，无法核验信任列表",
            "no root key to check the trust list with",
        )
    fingerprint = root_fingerprint(root_key)
    if not is_pinned(fingerprint, pins):
        raise UntrustedRoot(
            f"信任列表的根公钥 {fingerprint} 未被固定，不可信",
            f"the trust list's root key {fingerprint} is not pinned",
            fingerprint,
        )
    try:
        return parse_trust_list(jws, root_key), fingerprint
    except TrustListError as error:
        raise UntrustedRoot(
            "信任列表不是由固定的根密钥签署",
            f"the trust list is not signed by the pinned root: {error}",
            fingerprint,
        ) from None
