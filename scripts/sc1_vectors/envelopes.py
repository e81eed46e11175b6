"""COSE envelopes for test vectors, well formed or broken in exactly one stated way.

`opcert.credential.sc1.encode` only ever writes correct credentials; published vectors also need
credentials that are wrong in one precise respect (a flipped signature byte, kid in the wrong
header, a DER signature), built here from the same parts.
"""

from __future__ import annotations

import zlib

import cbor2
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from opcert.credential.base45_codec import b45encode
from opcert.credential.cose import (
    COSE_SIGN1_TAG,
    HEADER_ALG,
    HEADER_KID,
    protected_header_bytes,
    sig_structure,
)
from opcert.credential.keys import Signer
from opcert.credential.sc1 import PREFIX


def envelope(
    claims: object,
    signer: Signer,
    *,
    alg: int | None = None,
    tagged: bool = True,
    kid_unprotected: bool = False,
    flip_signature: bool = False,
    der: bool = False,
    payload_after_signing: object = None,
    raw_payload: bytes | None = None,
) -> bytes:
    """A COSE_Sign1 over CBOR(`claims`) (or `raw_payload`), signed by `signer`.

    With every option at its default the bytes are those `sc1.encode` writes. Each option
    breaks or varies one thing: `alg` puts another algorithm id in the header (the signature is
    still `signer`'s); `tagged=False` leaves out tag 18; `kid_unprotected` moves kid to the
    unprotected header; `flip_signature` changes the signature's last byte; `der` writes an
    ES256 signature in DER form; `payload_after_signing` replaces the payload once signed.
    """
    payload = raw_payload if raw_payload is not None else cbor2.dumps(claims)
    header_alg = signer.alg if alg is None else alg
    if kid_unprotected:
        protected = cbor2.dumps({HEADER_ALG: header_alg})
        unprotected: dict[int, object] = {HEADER_KID: signer.kid}
    else:
        protected, unprotected = protected_header_bytes(header_alg, signer.kid), {}
    signature = signer.sign(sig_structure(protected, payload))
    if der:
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        signature = encode_dss_signature(r, s)
    if flip_signature:
        signature = signature[:-1] + bytes((signature[-1] ^ 0x01,))
    if payload_after_signing is not None:
        payload = cbor2.dumps(payload_after_signing)
    items = [protected, unprotected, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, items) if tagged else items)


def deflate(data: bytes) -> bytes:
    """An RFC 1950 ZLIB stream of `data`, best compression."""
    return zlib.compress(data, 9)


def printed(cose: bytes) -> str:
    """The SC1 string of a COSE_Sign1: prefix, Base45, ZLIB."""
    return PREFIX + b45encode(deflate(cose))
