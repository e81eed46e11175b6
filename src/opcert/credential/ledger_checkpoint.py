"""Ledger checkpoints: the head of the audit chain, signed by the national root key.

A checkpoint is a compact JWS (EdDSA, ``typ`` ``opcert-ledger-checkpoint+jwt``, ``kid`` of the
root key) over ``{"iss": "CN", "seq": N, "hash": HEX, "iat": UNIX}``: the ledger held N entries
and entry N had that hash at that time. Kept outside the database (printed by ``opcert ledger
checkpoint``), it pins the chain's prefix: a later chain that lacks entry N, or whose entry N has
another hash, was truncated or rewritten, however consistent it is with itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opcert.credential.errors import CheckpointError, JwsError
from opcert.credential.jws import (
    compact_json,
    parse_json_object,
    read_header,
    sign_compact,
    verify_compact,
)
from opcert.credential.keys import ALG_EDDSA, JOSE_EDDSA, PublicKey, Signer, kid_b64, kid_for

CHECKPOINT_TYP = "opcert-ledger-checkpoint+jwt"
ROOT_ISSUER = "CN"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    iat: int
    iss: str = ROOT_ISSUER

    def to_json(self) -> dict[str, object]:
        return {"iss": self.iss, "seq": self.seq, "hash": self.hash, "iat": self.iat}


def sign_checkpoint(checkpoint: Checkpoint, root: Signer) -> str:
    """The checkpoint as a compact JWS signed by the root; ValueError unless the root is EdDSA."""
    if root.alg != ALG_EDDSA:
        raise ValueError("ledger checkpoints are signed with EdDSA, like the trust list")
    header = {"alg": JOSE_EDDSA, "kid": kid_b64(root.kid), "typ": CHECKPOINT_TYP}
    return sign_compact(header, compact_json(checkpoint.to_json()), root)


def checkpoint_kid(jws: str) -> str:
    """The ``kid`` the checkpoint claims, NOT verified: only to pick the root key to check it
    with. CheckpointError when the text is not a compact JWS with a text ``kid``."""
    try:
        kid = read_header(jws).get("kid")
    except JwsError as exc:
        raise CheckpointError(f"checkpoint: {exc}") from None
    if not isinstance(kid, str):
        raise CheckpointError("checkpoint: the header names no kid")
    return kid


def parse_checkpoint(jws: str, root_public_key: PublicKey) -> Checkpoint:
    """Verify a checkpoint with the root key and read it.

    Raises CheckpointError if the JWS is malformed, not EdDSA, not signed by
    ``root_public_key``, names another kid or typ, or its payload is not a checkpoint.
    """
    try:
        header, payload = verify_compact(jws, root_public_key, JOSE_EDDSA)
    except JwsError as exc:
        raise CheckpointError(f"checkpoint: {exc}") from None
    if header.get("kid") != kid_b64(kid_for(root_public_key)):
        raise CheckpointError("checkpoint: the kid header is not the root key's")
    if header.get("typ") != CHECKPOINT_TYP:
        raise CheckpointError(f"checkpoint: unexpected typ {header.get('typ')!r}")
    try:
        body = parse_json_object(payload)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint payload: {exc}") from None
    seq, digest, iat, iss = body.get("seq"), body.get("hash"), body.get("iat"), body.get("iss")
    if type(seq) is not int or seq < 0 or type(iat) is not int:
        raise CheckpointError("checkpoint payload: seq and iat must be non-negative integers")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise CheckpointError("checkpoint payload: hash must be 64 lowercase hex digits")
    if iss != ROOT_ISSUER:
        raise CheckpointError(f"checkpoint payload: issuer {iss!r} is not the root {ROOT_ISSUER}")
    return Checkpoint(seq=seq, hash=digest, iat=iat, iss=iss)
