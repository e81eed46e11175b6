"""The certificate claims inside a published test vector, however broken its envelope.

A vector's claims must be as true as a real credential's (valid ID number, the rule set in force,
its dates), whichever layer the vector breaks on purpose: a credential with a flipped Adler-32 or
a COSE_Sign tag still carries a certificate a reader can see. `embedded_claims` digs out every
CWT certificate map it can reach, without verifying anything; the domain judges them
(`opcert.domain.credential_claims`), in `scripts/make_vectors.py` before any file is written and
in `tests/conformance/test_sc1_vector_claims.py` over the published files.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import cbor2

from opcert.credential.base45_codec import b45decode
from opcert.credential.claims import CWT_CERTIFICATE, CWT_EXP

_PREFIXES = ("SC1:", "sc1:", "HC1:")
_MAX_DEPTH = 8
_NOT_CBOR = object()


@dataclass(frozen=True, slots=True)
class EmbeddedClaims:
    """One certificate map (text keys, as in the CWT) and the CWT's `exp` (None if not a uint)."""

    certificate: Mapping[str, object]
    exp: int | None


def embedded_claims(text: str) -> list[EmbeddedClaims]:
    """Every CWT with a certificate map (claim -65537) inside `text`, outermost first.

    Tolerant on purpose: any of the prefixes the vectors use or none, a ZLIB stream whose
    checksum or end is missing (read as raw deflate), bytes never compressed, and a COSE
    structure of any shape. Empty when the Base45 or the CBOR cannot be read at all.
    """
    body = text
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            body = text[len(prefix) :]
            break
    try:
        data = b45decode(body)
    except ValueError:
        return []
    for inflated in _inflations(data):
        item = _cbor(inflated)
        found = [] if item is _NOT_CBOR else list(_certificates(item, 0))
        if found:
            return found
    return []


def _inflations(data: bytes) -> list[bytes]:
    """The ZLIB stream inflated, its deflate body without header and checksum, and as is."""
    found = []
    with contextlib.suppress(zlib.error):
        found.append(zlib.decompress(data))
    with contextlib.suppress(zlib.error):
        found.append(zlib.decompressobj(wbits=-15).decompress(data[2:]))
    return [*found, data]


def _cbor(data: bytes) -> object:
    """The CBOR item of `data`, or `_NOT_CBOR`."""
    try:
        return cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError):
        return _NOT_CBOR


def _certificates(item: object, depth: int) -> Iterator[EmbeddedClaims]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(item, cbor2.CBORTag):
        yield from _certificates(item.value, depth + 1)
    elif isinstance(item, list | tuple):
        for element in item:
            yield from _certificates(element, depth + 1)
    elif isinstance(item, Mapping):
        certificate = item.get(CWT_CERTIFICATE)
        if isinstance(certificate, Mapping):
            exp = item.get(CWT_EXP)
            yield EmbeddedClaims(certificate, exp if type(exp) is int else None)
        for value in item.values():
            yield from _certificates(value, depth + 1)
    elif isinstance(item, bytes):
        inner = _cbor(item)
        if inner is not _NOT_CBOR:
            yield from _certificates(inner, depth + 1)
