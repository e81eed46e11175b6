"""The MALFORMED cases of the published SC1 test vectors: each envelope layer broken in turn.

Layers, outermost first, as `MalformedCredential.layer` names them: prefix, base45, zlib, cbor,
cose (structure) and claims. Every case but the outer ones is correctly signed, so that a
verifier that checked the signature first would still have to say MALFORMED.
"""

from __future__ import annotations

import cbor2

from opcert.credential.base45_codec import b45encode
from opcert.credential.cose import COSE_SIGN1_TAG
from opcert.credential.sc1 import PREFIX
from scripts.sc1_vectors.cases import Kit, VectorCase
from scripts.sc1_vectors.envelopes import deflate, envelope, printed
from scripts.sc1_vectors.keys import ZHUHAI

_COSE_SIGN_TAG = 98  # COSE_Sign (several signers), not COSE_Sign1


def _outer_cases(cose: bytes) -> list[tuple[str, str, str, str]]:
    """(id, layer, description, SC1 text) for the prefix, Base45 and ZLIB layers."""
    deflated = deflate(cose)
    body = b45encode(deflated)
    padding = "0" if len(body) % 3 == 0 else "00"  # valid Base45 lengths are 0 or 2 mod 3
    flipped_checksum = deflated[:-1] + bytes((deflated[-1] ^ 0x01,))
    return [
        ("prefix-missing", "prefix", "no SC1: prefix", body),
        ("prefix-hc1", "prefix", "the EU DCC prefix HC1: instead of SC1:", "HC1:" + body),
        ("prefix-lower-case", "prefix", "sc1: in lower case", "sc1:" + body),
        ("base45-character", "base45", "'#' is not in the Base45 alphabet",
         PREFIX + body[:30] + "#" + body[31:]),
        ("base45-length", "base45", "length 1 mod 3", PREFIX + body + padding),
        ("base45-overflow", "base45", "first chunk GGW decodes to 65536 > 0xFFFF",
         PREFIX + "GGW" + body[3:]),
        ("zlib-not-deflated", "zlib", "the COSE bytes, not compressed", PREFIX + b45encode(cose)),
        ("zlib-truncated", "zlib", "the stream without its Adler-32",
         PREFIX + b45encode(deflated[:-4])),
        ("zlib-checksum", "zlib", "a wrong Adler-32", PREFIX + b45encode(flipped_checksum)),
    ]  # fmt: skip


def _inner_cases(claims: dict[int, object], cose: bytes) -> list[tuple[str, ...]]:
    """(id, layer, description, SC1 text) for the CBOR, COSE and claims layers."""
    signer = ZHUHAI.signer()
    items = cbor2.loads(cose).value
    no_certificate = {key: value for key, value in claims.items() if key != -65537}
    wrapped = cbor2.dumps(cbor2.CBORTag(_COSE_SIGN_TAG, items))
    detached = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [items[0], {}, None, items[3]]))
    return [
        ("cbor-invalid", "cbor", "the inflated bytes are not CBOR", printed(b"\xff\x00")),
        ("cbor-truncated", "cbor", "the COSE_Sign1 cut short", printed(cose[:-20])),
        ("cbor-payload", "cbor", "the signed payload is not CBOR",
         printed(envelope(None, signer, raw_payload=b"\xff\x00"))),
        ("cose-tag", "cose", "tag 98 (COSE_Sign) instead of 18", printed(wrapped)),
        ("cose-three-items", "cose", "an array of three items",
         printed(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, items[:3])))),
        ("cose-map", "cose", "a map instead of an array", printed(cbor2.dumps({1: items[2]}))),
        ("cose-detached-payload", "cose", "payload nil (detached)", printed(detached)),
        ("claims-not-a-map", "claims", "the signed payload is a CBOR array, not a CWT map",
         printed(envelope([1, 2, 3], signer))),
        ("claims-no-certificate", "claims", "the CWT has no certificate claim (-65537)",
         printed(envelope(no_certificate, signer))),
    ]  # fmt: skip


def malformed_cases(kit: Kit) -> list[VectorCase]:
    """One case or more per layer, each from the same otherwise valid credential."""
    claims = kit.payload("malformed").to_cbor_map()
    cose = envelope(claims, ZHUHAI.signer())
    rows = _outer_cases(cose) + _inner_cases(claims, cose)
    return [
        VectorCase(
            f"malformed-{name}", f"{layer} layer: {description}", text, "MALFORMED",
            malformed_layer=layer,
        )
        for name, layer, description, text in rows
    ]  # fmt: skip
