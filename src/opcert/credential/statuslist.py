"""Status lists (spec section 5): two bits per credential, fetched whole.

Entry `i` occupies bits `2i` and `2i+1`, bit 0 being the most significant bit
of the first byte (the W3C Bitstring Status List order); its value is
`bit(2i) * 2 + bit(2i+1)`, which is simply `(byte >> (6 - 2 * (i % 4))) & 3`.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from opcert.credential.base64url import b64url_decode, b64url_encode
from opcert.credential.errors import JwsError, StatusListError
from opcert.credential.jws import (
    compact_json,
    parse_json_object,
    read_header,
    sign_compact,
    verify_compact,
)
from opcert.credential.keys import Signer, jose_alg, kid_b64, kid_from_b64
from opcert.credential.trustlist import ROOT_ISSUER, TrustList

MIN_BITSTRING_BYTES = 16384
ENTRIES_PER_LIST = 65536
MAX_BITSTRING_BYTES = 4 * 1024 * 1024
STATUS_LIST_TYP = "opcert-status-list+jwt"
_ENTRIES_PER_BYTE = 4
_GZIP_ONLY = 16 + zlib.MAX_WBITS


class EntryStatus(IntEnum):
    """The value of one status entry."""

    IN_FORCE = 0
    REVOKED = 1  # revoked, cancelled or lapsed (撤销 / 注销 / 失效)
    SUPERSEDED = 2
    SUSPENDED = 3


def _shift_table(shift: int) -> bytes:
    return bytes(((value & 3) << shift) for value in range(256))


_PACK = tuple(_shift_table(6 - 2 * position) for position in range(_ENTRIES_PER_BYTE))


class StatusBits:
    """A mutable bitstring of 2-bit entries, never shorter than MIN_BITSTRING_BYTES.

    `capacity` may exceed the number of entries asked for: the bitstring is
    padded to 16 KiB so that fetching it reveals little (spec section 5).
    """

    __slots__ = ("_bits",)

    def __init__(self, entries: int = ENTRIES_PER_LIST) -> None:
        if entries < 0:
            raise ValueError("entries must not be negative")
        size = max(MIN_BITSTRING_BYTES, -(-entries // _ENTRIES_PER_BYTE))
        self._bits = bytearray(size)

    @property
    def capacity(self) -> int:
        """How many entries the bitstring holds."""
        return len(self._bits) * _ENTRIES_PER_BYTE

    def __len__(self) -> int:
        return self.capacity

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusBits) and self._bits == other._bits

    __hash__ = None  # type: ignore[assignment]  # mutable

    def get(self, index: int) -> int:
        """The value (0-3) of entry `index`; IndexError outside 0..capacity-1."""
        if not 0 <= index < len(self._bits) * _ENTRIES_PER_BYTE:
            raise IndexError(f"status index {index} outside the list")
        return (self._bits[index >> 2] >> (6 - 2 * (index & 3))) & 3

    def set(self, index: int, value: int) -> None:
        """Set entry `index` to `value`; IndexError or ValueError when out of range."""
        if not 0 <= index < len(self._bits) * _ENTRIES_PER_BYTE:
            raise IndexError(f"status index {index} outside the list")
        if value not in (0, 1, 2, 3):
            raise ValueError(f"status value {value!r} is not 0-3")
        shift = 6 - 2 * (index & 3)
        byte = index >> 2
        self._bits[byte] = (self._bits[byte] & ~(3 << shift)) | (value << shift)

    @classmethod
    def from_values(
        cls, entries: int, values: Mapping[int, int] | Iterable[tuple[int, int]]
    ) -> StatusBits:
        """A bitstring for `entries` entries with the given (index, value) pairs set.

        Later pairs win over earlier ones for the same index. Raises
        IndexError for an index outside the capacity, ValueError for a value
        outside 0-3. One assignment per given pair; packing four entries into
        each byte is done with whole-string operations.
        """
        bits = cls(entries)
        pairs = dict(values.items() if isinstance(values, Mapping) else values)
        if not pairs:
            return bits
        if min(pairs) < 0 or max(pairs) >= bits.capacity:
            raise IndexError("status index outside the list")
        per_entry = bytearray(bits.capacity)
        for index, value in pairs.items():
            per_entry[index] = value
        if max(per_entry) > EntryStatus.SUSPENDED:
            raise ValueError("status values are 0-3")
        packed = 0
        for position, table in enumerate(_PACK):
            packed |= int.from_bytes(per_entry[position::_ENTRIES_PER_BYTE].translate(table), "big")
        bits._bits = bytearray(packed.to_bytes(len(bits._bits), "big"))
        return bits

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """base64url (unpadded) of the GZIP-compressed bitstring, deterministic (mtime 0)."""
        return b64url_encode(gzip.compress(self._bits, compresslevel=9, mtime=0))

    @classmethod
    def decode(cls, text: str, max_bytes: int = MAX_BITSTRING_BYTES) -> StatusBits:
        """Read `encode` output; StatusListError if it is not base64url of one GZIP
        member inflating to between MIN_BITSTRING_BYTES and `max_bytes` bytes."""
        try:
            compressed = b64url_decode(text)
            inflater = zlib.decompressobj(_GZIP_ONLY)
            raw = inflater.decompress(compressed, max_bytes + 1)
        except (ValueError, zlib.error) as exc:
            raise StatusListError(f"status bits: {exc}") from None
        if len(raw) > max_bytes:
            raise StatusListError(f"status bits inflate beyond {max_bytes} bytes")
        if not inflater.eof or inflater.unused_data:
            raise StatusListError("status bits: not exactly one complete GZIP member")
        if len(raw) < MIN_BITSTRING_BYTES:
            raise StatusListError(f"status bitstring shorter than {MIN_BITSTRING_BYTES} bytes")
        bits = cls(0)
        bits._bits = bytearray(raw)
        return bits


@dataclass(frozen=True, slots=True)
class StatusList:
    """A verified status list: `iat` epoch seconds, `ttl` seconds a copy may be cached.

    `exp` (epoch seconds: after it the list no longer speaks for the present) and `rev` (grows
    with every change of the list) are required by spec section 5; they are None only in lists
    built before that rule or by hand, and a verifier gives STATUS_UNKNOWN for such a list.
    """

    list_id: str
    iss: str
    iat: int
    ttl: int
    bits: StatusBits
    exp: int | None = None
    rev: int | None = None

    def expired(self, now: float) -> bool:
        """True at or after `exp`, or when the list has no `exp`."""
        return self.exp is None or now >= self.exp

    def status_of(self, index: int) -> int | None:
        """The entry's value, or None if the index lies outside the list."""
        try:
            return self.bits.get(index)
        except IndexError:
            return None

    def to_json(self) -> dict[str, object]:
        """The spec's payload JSON object."""
        document: dict[str, object] = {"list_id": self.list_id, "iss": self.iss, "iat": self.iat}
        if self.exp is not None:
            document["exp"] = self.exp
        if self.rev is not None:
            document["rev"] = self.rev
        document.update(ttl=self.ttl, bits=self.bits.encode())
        return document

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> StatusList:
        """Read the payload; StatusListError for a missing or wrongly typed member.

        `exp` and `rev` may be absent (an older list: None), but when present they must be
        non-negative integers.
        """
        list_id, iss, bits = obj.get("list_id"), obj.get("iss"), obj.get("bits")
        iat, ttl = obj.get("iat"), obj.get("ttl")
        if not (isinstance(list_id, str) and isinstance(iss, str) and isinstance(bits, str)):
            raise StatusListError("status list: list_id, iss and bits must be text")
        if type(iat) is not int or type(ttl) is not int or iat < 0 or ttl < 0:
            raise StatusListError("status list: iat and ttl must be non-negative integers")
        exp, rev = obj.get("exp"), obj.get("rev")
        for name, value in (("exp", exp), ("rev", rev)):
            if value is not None and (type(value) is not int or value < 0):
                raise StatusListError(f"status list: {name} must be a non-negative integer")
        return cls(
            list_id,
            iss,
            iat,
            ttl,
            StatusBits.decode(bits),
            exp if type(exp) is int else None,
            rev if type(rev) is int else None,
        )


def sign_status_list(status_list: StatusList, signer: Signer) -> str:
    """The status list as a compact JWS signed by `signer` (its alg, its kid)."""
    header = {"alg": jose_alg(signer.alg), "kid": kid_b64(signer.kid), "typ": STATUS_LIST_TYP}
    return sign_compact(header, compact_json(status_list.to_json()), signer)


def parse_status_list(jws: str, trust_list: TrustList) -> StatusList:
    """Verify a status list JWS against the trust list and read it.

    The JWS `kid` must name a key of the trust list, whose alg it must use
    and whose signature must verify; that key's issuer must be the list's
    `iss` or the root ("CN"); a revoked key may not have signed it at or
    after `revoked_at`. Raises StatusListError otherwise.
    """
    try:
        kid_text = read_header(jws).get("kid")
        if not isinstance(kid_text, str):
            raise ValueError("the JWS header has no kid")
        kid = kid_from_b64(kid_text)
    except (JwsError, ValueError) as exc:
        raise StatusListError(f"status list: {exc}") from None
    key = trust_list.find(kid)
    if key is None:
        raise StatusListError(f"status list signed by unknown key {kid_b64(kid)}")
    try:
        header, payload = verify_compact(jws, key.public_key, key.alg)
        obj = parse_json_object(payload)
    except (JwsError, ValueError) as exc:
        raise StatusListError(f"status list: {exc}") from None
    if header.get("typ", STATUS_LIST_TYP) != STATUS_LIST_TYP:
        raise StatusListError(f"status list: unexpected typ {header.get('typ')!r}")
    status_list = StatusList.from_json(obj)
    if key.issuer not in (status_list.iss, ROOT_ISSUER):
        raise StatusListError(f"key of {key.issuer} may not sign the list of {status_list.iss}")
    if key.revokes(status_list.iat):
        raise StatusListError(f"status list signed by revoked key {kid_b64(kid)}")
    return status_list
