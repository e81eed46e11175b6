"""COSE_Sign1 (RFC 9052) framing and strict CBOR reading of untrusted bytes.

Writing is done by hand: the structure is fixed (tag 18, a four-element
array, three byte strings and an empty map), so a few byte-string headers and
one `join` replace a general encoder on the hot path.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import cbor2

from opcert.credential.errors import MalformedCredential

COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
MAX_CBOR_DEPTH = 32
_CACHED_HEADER_BYTES = 64
_EMPTY_HEADER: Mapping[object, object] = MappingProxyType({})

_EMPTY_MAP = b"\xa0"
_EMPTY_BSTR = b"\x40"
_TAGGED_ARRAY_OF_4 = b"\xd2\x84"
# array(4), text(10) "Signature1": the fixed start of every Sig_structure.
_SIGNATURE1_PREFIX = b"\x84\x6aSignature1"


def _inert_tag(tag: int) -> Any:
    def keep_as_tag(value: Any, immutable: bool) -> cbor2.CBORTag:
        return cbor2.CBORTag(tag, value)

    return keep_as_tag


# Tags whose default decoders do work an attacker can steer (regular
# expressions, MIME parsing, arbitrary-precision arithmetic, shared or
# referenced values that can alias and amplify) are kept as plain tags.
_INERT_TAGS = {tag: _inert_tag(tag) for tag in (4, 5, 25, 28, 29, 30, 35, 36, 256)}


class CoseSign1(NamedTuple):
    """The four parts of a COSE_Sign1, with the protected header also decoded."""

    protected: bytes
    protected_header: Mapping[object, object]
    unprotected_header: Mapping[object, object]
    payload: bytes
    signature: bytes


def loads_strict(data: bytes) -> object:
    """Decode exactly one CBOR item from untrusted bytes.

    Rejects trailing bytes, duplicate map keys and nesting deeper than
    MAX_CBOR_DEPTH. Raises ValueError for any of these and for any CBOR error.
    """
    try:
        decoder = cbor2.CBORDecoder(
            io.BytesIO(data),
            semantic_decoders=_INERT_TAGS,
            max_depth=MAX_CBOR_DEPTH,
            allow_duplicate_keys=False,
        )
        value = decoder.decode()
    except Exception as exc:  # cbor2 raises several kinds on hostile input
        raise ValueError(f"not CBOR: {exc}") from exc
    try:
        decoder.read(1)
    except cbor2.CBORDecodeEOF:
        return value
    raise ValueError("trailing bytes after the CBOR item")


def bstr_header(length: int) -> bytes:
    """The CBOR head of a definite-length byte string of `length` bytes."""
    if length < 24:
        return bytes((0x40 | length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")


@lru_cache(maxsize=64)
def protected_header_bytes(alg: int, kid: bytes) -> bytes:
    """The serialized protected header `{1: alg, 4: kid}`, canonical CBOR, alg first."""
    return cbor2.dumps({HEADER_ALG: alg, HEADER_KID: kid}, canonical=True)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """`["Signature1", protected, h'', payload]`: the bytes a COSE_Sign1 signs."""
    return b"".join(
        (
            _SIGNATURE1_PREFIX,
            bstr_header(len(protected)),
            protected,
            _EMPTY_BSTR,
            bstr_header(len(payload)),
            payload,
        )
    )


def encode_cose_sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """A COSE_Sign1 tagged 18 with an empty unprotected header."""
    return b"".join(
        (
            _TAGGED_ARRAY_OF_4,
            bstr_header(len(protected)),
            protected,
            _EMPTY_MAP,
            bstr_header(len(payload)),
            payload,
            bstr_header(len(signature)),
            signature,
        )
    )


def _cose_error(message_zh: str, message_en: str) -> MalformedCredential:
    return MalformedCredential("cose", message_zh, message_en)


def parse_cose_sign1(data: bytes, *, allow_cwt_tag: bool = False) -> CoseSign1:
    """Take a COSE_Sign1 apart, tagged 18 or untagged.

    With `allow_cwt_tag`, an outer CWT tag 61 is also accepted (RFC 8392
    section 6; some EU DCC issuers use it). Raises MalformedCredential with
    layer "cbor" if `data` is not one CBOR item, "cose" if it is not a
    COSE_Sign1 with an embedded payload and a map as protected header.
    """
    try:
        item = loads_strict(data)
    except ValueError as exc:
        raise MalformedCredential("cbor", "CBOR 解码失败", str(exc)) from None
    if allow_cwt_tag and isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise _cose_error("不是 COSE_Sign1 标签", f"CBOR tag {item.tag} is not COSE_Sign1 (18)")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise _cose_error("COSE_Sign1 结构错误", "COSE_Sign1 must be an array of four items")
    protected, unprotected, payload, signature = item
    if type(protected) is not bytes or type(payload) is not bytes or type(signature) is not bytes:
        raise _cose_error("COSE_Sign1 结构错误", "protected, payload and signature must be bstr")
    if not isinstance(unprotected, Mapping):
        raise _cose_error("COSE_Sign1 结构错误", "the unprotected header must be a map")
    return CoseSign1(protected, _protected_map(protected), unprotected, payload, signature)


def _protected_map(protected: bytes) -> Mapping[object, object]:
    if not protected:  # RFC 9052: a zero-length bstr stands for the empty map
        return _EMPTY_HEADER
    if len(protected) <= _CACHED_HEADER_BYTES:
        return _small_protected_map(protected)
    return _decode_protected_map(protected)


# Every credential signed by one key has the same protected header, so the
# few distinct small headers are decoded once; failures are not cached.
@lru_cache(maxsize=256)
def _small_protected_map(protected: bytes) -> Mapping[object, object]:
    return _decode_protected_map(protected)


def _decode_protected_map(protected: bytes) -> Mapping[object, object]:
    try:
        header = loads_strict(protected)
    except ValueError as exc:
        raise _cose_error("受保护头部不是 CBOR", f"protected header: {exc}") from None
    if not isinstance(header, Mapping):
        raise _cose_error("受保护头部不是映射", "the protected header must be a map")
    return MappingProxyType(dict(header))
