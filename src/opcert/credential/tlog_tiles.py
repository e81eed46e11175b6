"""C2SP tlog-tiles: tile paths, tile contents, entry bundles, and growing tiles as leaves come.

A tile at level ``L`` and index ``N`` holds up to 256 consecutive hashes of tree level ``8 * L``
(level 0: leaf hashes; level 1: roots of complete 256-leaf subtrees, ...), starting at hash
``256 * N``, concatenated. A tile with ``W < 256`` hashes is partial and is served at
``tile/<L>/<N>.p/<W>``. Entry bundles (``tile/entries/<N>[.p/<W>]``) hold the entries of the
matching level-0 tile, each as a big-endian uint16 length and the bytes.

``N`` is written in groups of three digits, every group but the last prefixed with ``x``:
1234067 is ``x001/x234/067``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from opcert.credential.tlog_merkle import HASH_SIZE, perfect_root

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_BYTES = 0xFFFF
_PATH = re.compile(r"tile/(entries|\d{1,2})/((?:x\d{3}/)*\d{3})(?:\.p/(\d{1,3}))?")


@dataclass(frozen=True, slots=True)
class TileRef:
    """A tile (``level`` >= 0) or an entry bundle (``level`` is None) and its width."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    def path(self) -> str:
        kind = "entries" if self.level is None else str(self.level)
        partial = "" if self.width == TILE_WIDTH else f".p/{self.width}"
        return f"tile/{kind}/{encode_index(self.index)}{partial}"


def encode_index(n: int) -> str:
    """``n`` as a tile path: groups of three digits, all but the last prefixed with ``x``."""
    if n < 0:
        raise ValueError("tile index is not negative")
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def parse_tile_path(path: str) -> TileRef:
    """The tile or bundle a path names. ValueError for anything else: a bad level, a width
    outside 1..255, an index in a non-canonical spelling (``x000/`` leading groups)."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise ValueError("not a tile path")
    kind, groups, width = match.groups()
    index = int(groups.replace("x", "").replace("/", ""))
    if encode_index(index) != groups:
        raise ValueError("tile index is not written canonically")
    level = None if kind == "entries" else int(kind)
    if level is not None and (str(level) != kind or level > 63 // TILE_HEIGHT):
        raise ValueError("tile level out of range")
    size = TILE_WIDTH if width is None else int(width)
    if width is not None and (str(size) != width or not 1 <= size < TILE_WIDTH):
        raise ValueError("partial tile width is 1..255")
    return TileRef(level, index, size)


def tile_width_at(level: int, index: int, tree_size: int) -> int:
    """How many hashes tile (level, index) holds in a tree of ``tree_size`` leaves (0: none)."""
    count = tree_size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as a C2SP bundle; ValueError for an entry longer than 65,535 bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise ValueError("an entry is longer than 65,535 bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; ValueError if it is truncated."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise ValueError("truncated entry length")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise ValueError("truncated entry")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def tile_hashes(tile: bytes) -> list[bytes]:
    """The hashes a tile's bytes hold; ValueError if its length is not a multiple of 32."""
    if len(tile) % HASH_SIZE:
        raise ValueError("a tile is a whole number of hashes")
    return [tile[i : i + HASH_SIZE] for i in range(0, len(tile), HASH_SIZE)]


def extend_tiles(
    size: int, right_edge: Mapping[int, bytes], leaf_hashes: Sequence[bytes]
) -> dict[tuple[int, int], bytes]:
    """The tiles that change when ``leaf_hashes`` are appended to a tree of ``size`` leaves.

    ``right_edge[L]`` is the current content of the last, partial tile of level ``L`` (absent
    or empty where that level's hashes fill whole tiles). Returns ``{(level, index): content}``
    for every tile written to, full tiles included.
    """
    changed: dict[tuple[int, int], bytes] = {}
    new, level, count = list(leaf_hashes), 0, size
    while new:
        index, used = divmod(count, TILE_WIDTH)
        buffer = bytearray(right_edge.get(level, b"") if used else b"")
        if len(buffer) != used * HASH_SIZE:
            raise ValueError(f"the right edge tile of level {level} does not match the size")
        promoted: list[bytes] = []
        for digest in new:
            buffer += digest
            if len(buffer) == TILE_WIDTH * HASH_SIZE:
                changed[(level, index)] = bytes(buffer)
                promoted.append(perfect_root(tile_hashes(bytes(buffer))))
                index, buffer = index + 1, bytearray()
        if buffer:
            changed[(level, index)] = bytes(buffer)
        new, level, count = promoted, level + 1, count // TILE_WIDTH
    return changed


class TileSubtrees:
    """``subtree(height, index)`` over tiles: a complete subtree of height ``8L + r`` is the
    perfect tree over ``2**r`` consecutive hashes of one level-``L`` tile."""

    def __init__(self, tiles: Mapping[tuple[int, int], bytes]) -> None:
        self.tiles = tiles

    def __call__(self, height: int, index: int) -> bytes:
        level, rest = divmod(height, TILE_HEIGHT)
        first = index << rest
        tile = self.tiles[(level, first // TILE_WIDTH)]
        start = (first % TILE_WIDTH) * HASH_SIZE
        run = tile[start : start + (HASH_SIZE << rest)]
        if len(run) != HASH_SIZE << rest:
            raise KeyError(f"tile ({level}, {first // TILE_WIDTH}) is too short")
        return perfect_root(tile_hashes(run))
