"""The printed SC1 string: `SC1:` + Base45(ZLIB(COSE_Sign1(CWT))) (spec sections 1-3).

`encode` signs and wraps a payload; `decode` takes a string apart layer by
layer and checks nothing but structure: which key signed it and whether the
signature holds is the verifier's business. The layer functions are public
so that other envelopes of the same family (the EU DCC `HC1:`) can drive them.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import cbor2

from opcert.credential.base45_codec import b45decode as _b45decode
from opcert.credential.base45_codec import b45encode
from opcert.credential.claims import CredentialPayload
from opcert.credential.cose import (
    HEADER_ALG,
    HEADER_KID,
    CoseSign1,
    encode_cose_sign1,
    loads_strict,
    parse_cose_sign1,
    protected_header_bytes,
    sig_structure,
)
from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import Signer

__all__ = [
    "MAX_BASE45_CHARS",
    "MAX_INFLATED_BYTES",
    "PREFIX",
    "CoseSign1",
    "DecodedCredential",
    "b45decode",
    "decode",
    "encode",
    "inflate",
    "open_envelope",
    "parse_cose_sign1",
    "read_payload",
    "unprefix",
]

PREFIX = "SC1:"
ZLIB_LEVEL = 9
# A 4 KiB window holds any credential that fits in a QR code, so compression
# is the same as with the default 32 KiB; setting up the smaller window and
# hash table costs a sixth of the time, which dominates on a few hundred bytes.
ZLIB_WINDOW_BITS = 12
ZLIB_MEMORY_LEVEL = 4
MAX_INFLATED_BYTES = 64 * 1024
# A ZLIB stream that inflates to MAX_INFLATED_BYTES is at most a few bytes
# longer than that, and Base45 spends 3 characters on 2 bytes: longer text
# cannot be valid and is refused before any work is done on it.
MAX_BASE45_CHARS = 3 * MAX_INFLATED_BYTES


def encode(payload: CredentialPayload, signer: Signer) -> str:
    """Sign `payload` with `signer` and return the printable SC1 string.

    The COSE_Sign1 is tagged 18, its protected header is `{1: alg, 4: kid}`
    of the signer, its unprotected header empty.
    """
    protected = protected_header_bytes(signer.alg, signer.kid)
    body = cbor2.dumps(payload.to_cbor_map())
    signature = signer.sign(sig_structure(protected, body))
    cose = encode_cose_sign1(protected, body, signature)
    compressor = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, ZLIB_WINDOW_BITS, ZLIB_MEMORY_LEVEL)
    return PREFIX + b45encode(compressor.compress(cose) + compressor.flush())


@dataclass(frozen=True, slots=True)
class DecodedCredential:
    """An SC1 string taken apart, not yet verified.

    `alg` and `kid` come from the protected header only and are None when
    absent or of the wrong type. `claims` is the raw CWT map. `payload` is
    None when the CWT lacks the SC1 certificate shape; `payload_problem` then
    says why.
    """

    alg: int | None
    kid: bytes | None
    protected: bytes
    payload_bytes: bytes
    signature: bytes
    claims: Mapping[int, object]
    payload: CredentialPayload | None
    payload_problem: MalformedCredential | None = None

    def sig_structure(self) -> bytes:
        """The bytes the signature must cover."""
        return sig_structure(self.protected, self.payload_bytes)


def unprefix(text: str, prefix: str) -> str:
    """`text` without `prefix`; MalformedCredential("prefix") if it does not start with it."""
    if not isinstance(text, str) or not text.startswith(prefix):
        raise MalformedCredential("prefix", f"不以 {prefix} 开头", f"does not start with {prefix}")
    return text[len(prefix) :]


def b45decode(text: str) -> bytes:
    """Base45-decode; MalformedCredential("base45") if invalid or longer than MAX_BASE45_CHARS."""
    if len(text) > MAX_BASE45_CHARS:
        raise MalformedCredential("base45", "内容过长", "too long")
    try:
        return _b45decode(text)
    except ValueError as exc:
        raise MalformedCredential("base45", "Base45 解码失败", str(exc)) from None


def inflate(data: bytes, max_bytes: int = MAX_INFLATED_BYTES) -> bytes:
    """Inflate one complete ZLIB stream (RFC 1950) of at most `max_bytes`.

    Raises MalformedCredential("zlib") for a damaged, truncated or
    over-long stream (a decompression bomb stops at `max_bytes`), for bytes
    after the end of the stream, and for padding bits after the final
    deflate block that are not zero.
    """
    out = _inflate_once(data, max_bytes)
    if _has_stray_padding_bits(data, out, max_bytes):
        raise MalformedCredential(
            "zlib", "ZLIB 填充位非零", "non-zero padding after the last block"
        )
    return out


def _inflate_once(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise MalformedCredential("zlib", "ZLIB 解压失败", str(exc)) from None
    if len(out) > max_bytes:
        raise MalformedCredential("zlib", "解压后内容过大", f"inflates beyond {max_bytes} bytes")
    if not inflater.eof:
        raise MalformedCredential("zlib", "ZLIB 数据不完整", "truncated ZLIB stream")
    if inflater.unused_data:
        raise MalformedCredential("zlib", "ZLIB 数据后有多余字节", "bytes after the ZLIB stream")
    return out


def _has_stray_padding_bits(data: bytes, out: bytes, max_bytes: int) -> bool:
    """True if the bits after the final deflate block are not all zero.

    Inflaters ignore those bits, so without this check a character changed
    in the last Base45 chunk could leave the credential intact: the string
    would no longer be the one the issuer printed. Every encoder writes them
    as zero. Deflate fills bytes from the low bit up, so if any padding bit is
    set, the highest set bit of the last deflate byte is one of them, and
    clearing it changes nothing; if that bit carries data, clearing it does.
    """
    last = len(data) - 5  # the last deflate byte, just before the Adler-32
    if last < 2 or data[last] == 0:
        return False
    variant = bytearray(data)
    variant[last] ^= 1 << (data[last].bit_length() - 1)
    try:
        return _inflate_once(bytes(variant), max_bytes) == out
    except MalformedCredential:
        return False


def open_envelope(text: str, *, prefix: str = PREFIX) -> tuple[bytes, CoseSign1]:
    """The COSE_Sign1 of a printed string, as bytes (what the ZLIB layer carries, the leaf of
    the transparency log) and taken apart, its payload not read (spec section 6, step 1).

    Raises MalformedCredential, with the layer that failed, for a wrong prefix, bad Base45,
    bad ZLIB or a structure that is not a COSE_Sign1, and nothing else.
    """
    cose = inflate(b45decode(unprefix(text, prefix)))
    return cose, parse_cose_sign1(cose)


def read_payload(payload_bytes: bytes) -> CredentialPayload:
    """The SC1 claims of a COSE payload; MalformedCredential ("cbor" or "claims") otherwise.

    A verifier calls this only after the signature over `payload_bytes` has verified (step 3).
    """
    try:
        claims = loads_strict(payload_bytes)
    except ValueError as exc:
        raise MalformedCredential("cbor", "载荷不是 CBOR", f"payload: {exc}") from None
    if not isinstance(claims, Mapping):
        raise MalformedCredential("claims", "载荷不是 CWT 映射", "the payload is not a CWT map")
    return CredentialPayload.from_cbor_map(claims)


def decode(text: str, *, prefix: str = PREFIX) -> DecodedCredential:
    """Take an SC1 string apart without verifying it.

    Raises MalformedCredential, with the layer that failed, and nothing else,
    whatever `text` holds. A CWT that decodes but lacks the SC1 certificate
    shape is not an error here: `payload` is None and `payload_problem` set.
    """
    envelope = parse_cose_sign1(inflate(b45decode(unprefix(text, prefix))))
    try:
        claims = loads_strict(envelope.payload)
    except ValueError as exc:
        raise MalformedCredential("cbor", "载荷不是 CBOR", f"payload: {exc}") from None
    if not isinstance(claims, Mapping):
        raise MalformedCredential("claims", "载荷不是 CWT 映射", "the payload is not a CWT map")
    try:
        payload: CredentialPayload | None = CredentialPayload.from_cbor_map(claims)
        problem = None
    except MalformedCredential as exc:
        payload, problem = None, exc
    header = envelope.protected_header
    alg, kid = header.get(HEADER_ALG), header.get(HEADER_KID)
    return DecodedCredential(
        alg=alg if type(alg) is int else None,
        kid=kid if type(kid) is bytes else None,
        protected=envelope.protected,
        payload_bytes=envelope.payload,
        signature=envelope.signature,
        claims=claims,
        payload=payload,
        payload_problem=problem,
    )
