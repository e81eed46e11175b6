"""RFC 6962 / RFC 9162 Merkle trees: hashing, tree heads, inclusion and consistency proofs.

Hashing is SHA-256 with domain separation: a leaf is ``SHA-256(0x00 || data)``, an interior
node ``SHA-256(0x01 || left || right)``, the empty tree ``SHA-256("")``.

Proof generation reads the tree through one function, ``subtree(height, index)``: the hash of
the complete subtree of ``2**height`` leaves that starts at leaf ``index * 2**height``. An
in-memory tree (``MemoryTree``) and the tiles of ``tlog_tiles`` both provide it, so the same
code proves from a list in a test and from stored tiles in the platform. Verification follows
the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 and shares no code with generation.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeReader = Callable[[int, int], bytes]
"""``subtree(height, index)``: the hash of the complete subtree of ``2**height`` leaves starting
at leaf ``index << height``. Only subtrees that lie wholly inside the tree are asked for."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash of ``data``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """Root of a perfect subtree whose bottom row is ``hashes`` (a power of two of them)."""
    row = list(hashes)
    if not row or len(row) & (len(row) - 1):
        raise ValueError("a perfect subtree has a power-of-two number of hashes")
    while len(row) > 1:
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return row[0]


class MemoryTree:
    """A whole tree in memory, built from its leaf hashes: the reference for tests and the
    source of tiles when a log is rebuilt from its entries."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def subtree(self, height: int, index: int) -> bytes:
        return self.levels[height][index]

    def root(self) -> bytes:
        return tree_hash(self.size, self.subtree)


def _largest_power_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(lo: int, hi: int, subtree: SubtreeReader) -> bytes:
    """MTH(D[lo:hi]) for a range the RFC 6962 recursion produces (``lo`` aligned to the
    largest power of two not above ``hi - lo``): its complete subtrees, folded from the right."""
    parts: list[bytes] = []
    while lo < hi:
        height = (hi - lo).bit_length() - 1
        while lo & ((1 << height) - 1):
            height -= 1
        parts.append(subtree(height, lo >> height))
        lo += 1 << height
    acc = parts[-1]
    for part in reversed(parts[:-1]):
        acc = node_hash(part, acc)
    return acc


def tree_hash(size: int, subtree: SubtreeReader) -> bytes:
    """The root hash of the first ``size`` leaves."""
    if size < 0:
        raise ValueError("tree size is not negative")
    return EMPTY_ROOT if size == 0 else range_hash(0, size, subtree)


def inclusion_proof(index: int, size: int, subtree: SubtreeReader) -> list[bytes]:
    """RFC 6962 PATH(index, D[size]); ValueError unless ``0 <= index < size``."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    proof: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_below(hi - lo)
        if index < lo + k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, subtree))
            lo += k
    proof.reverse()
    return proof


def consistency_proof(old_size: int, size: int, subtree: SubtreeReader) -> list[bytes]:
    """RFC 6962 PROOF(old_size, D[size]); empty when ``old_size`` is 0 or ``size``.
    ValueError unless ``0 <= old_size <= size``."""
    if not 0 <= old_size <= size:
        raise ValueError(f"no consistency proof from {old_size} to {size}")
    if old_size in (0, size):
        return []
    proof: list[bytes] = []
    lo, hi, m, whole = 0, size, old_size, True
    while m != hi - lo:
        k = _largest_power_below(hi - lo)
        if m <= k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, subtree))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.append(range_hash(lo, hi, subtree))
    proof.reverse()
    return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: True iff ``proof`` shows the leaf hash ``leaf`` at ``index`` in the
    tree of ``size`` leaves with root hash ``root``."""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    old_size: int, size: int, proof: Sequence[bytes], old_root: bytes, root: bytes
) -> bool:
    """RFC 9162 2.1.4.2: True iff ``proof`` shows the tree ``(old_size, old_root)`` is a prefix
    of ``(size, root)``. From the empty tree only an empty proof and the empty root pass."""
    if not 0 <= old_size <= size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == 0:
        return not proof and hmac.compare_digest(old_root, EMPTY_ROOT)
    if old_size == size:
        return not proof and hmac.compare_digest(old_root, root)
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, root)
