"""The transparency log's proofs, checkpoints and tiles (RFC 6962, C2SP)."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opcert.credential.keys import ALG_ES256, SoftwareSigner
from opcert.credential.sc1 import encode
from opcert.credential.tlog import (
    Checkpoint,
    Proof,
    TlogError,
    key_id,
    leaf_data_of,
    open_checkpoint,
    parse_checkpoint_text,
    parse_proof,
    sign_checkpoint,
    sign_note,
    verify_inclusion,
    vkey,
)
from opcert.credential.tlog_merkle import (
    EMPTY_ROOT,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    tree_hash,
    verify_consistency,
)
from opcert.credential.tlog_merkle import verify_inclusion as verify_path
from opcert.credential.tlog_tiles import (
    TILE_WIDTH,
    TileRef,
    TileSubtrees,
    encode_index,
    entry_bundle,
    extend_tiles,
    parse_entry_bundle,
    parse_tile_path,
    tile_width_at,
)

from .builders import make_payload, make_signer

ORIGIN = "opcert.example/.well-known/opcert/log"


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 6962 section 2.1, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def tree_of(n: int) -> tuple[list[bytes], MemoryTree]:
    leaves = [f"credential {i}".encode() for i in range(n)]
    return leaves, MemoryTree([leaf_hash(x) for x in leaves])


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[(bit // 8) % len(out)] ^= 1 << (bit % 8)
    return bytes(out)


def test_the_root_of_known_trees_matches_the_rfc_6962_definition() -> None:
    assert tree_hash(0, MemoryTree([]).subtree) == EMPTY_ROOT
    for n in (1, 2, 3, 5, 7, 8, 9, 255, 256, 257):
        leaves, tree = tree_of(n)
        assert tree.root() == reference_root(leaves)


def test_the_leaf_hash_is_domain_separated_from_a_node() -> None:
    assert leaf_hash(b"") == bytes.fromhex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"a" * 64) != node_hash(b"a" * 32, b"a" * 32)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_an_inclusion_proof_verifies_for_every_leaf_of_a_random_tree(case: tuple[int, int]) -> None:
    n, index = case
    leaves, tree = tree_of(n)
    proof = inclusion_proof(index, n, tree.subtree)
    root = tree.root()
    assert verify_path(leaf_hash(leaves[index]), index, n, proof, root)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))),
    st.integers(0, 10_000),
    st.sampled_from(["leaf", "index", "size", "hash", "root", "drop", "extra"]),
)
def test_an_inclusion_proof_fails_for_any_change(
    case: tuple[int, int], bit: int, change: str
) -> None:
    n, index = case
    leaves, tree = tree_of(n)
    proof = inclusion_proof(index, n, tree.subtree)
    leaf, root, size = leaf_hash(leaves[index]), tree.root(), n
    if change == "leaf":
        leaf = flip(leaf, bit)
    elif change == "index":
        index = (index + 1 + bit % (n - 1)) % n
    elif change == "size":
        # The head of a larger tree: the same path lands on the old root, never the new one.
        size = n + 1 + bit % 300
        root = tree_of(size)[1].root()
    elif change == "hash" and proof:
        proof[bit % len(proof)] = flip(proof[bit % len(proof)], bit)
    elif change == "root":
        root = flip(root, bit)
    elif change == "drop" and proof:
        proof.pop(bit % len(proof))
    else:
        proof.append(leaf)
    assert not verify_path(leaf, index, size, proof, root)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_consistency_proof_verifies_between_any_two_sizes(case: tuple[int, int]) -> None:
    m, n = case
    leaves, tree = tree_of(n)
    old = MemoryTree(tree.levels[0][:m])
    proof = consistency_proof(m, n, tree.subtree)
    assert verify_consistency(m, n, proof, old.root(), tree.root())


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 300).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))),
    st.integers(0, 10_000),
    st.sampled_from(["old_root", "root", "hash", "old_size", "size", "drop", "history"]),
)
def test_a_consistency_proof_fails_for_any_change(
    case: tuple[int, int], bit: int, change: str
) -> None:
    m, n = case
    leaves, tree = tree_of(n)
    old_root, root = MemoryTree(tree.levels[0][:m]).root(), tree.root()
    proof = consistency_proof(m, n, tree.subtree)
    old_size, size = m, n
    if change == "old_root":
        old_root = flip(old_root, bit)
    elif change == "root":
        root = flip(root, bit)
    elif change == "hash" and proof:
        proof[bit % len(proof)] = flip(proof[bit % len(proof)], bit)
    elif change == "old_size":
        # Another true head of the same log: the proof is not for it.
        old_size = m - 1 if m > 1 else m + 1
        old_root = MemoryTree(tree.levels[0][:old_size]).root()
    elif change == "size":
        size = n + 1
        root = tree_of(size)[1].root()
    elif change == "drop" and proof:
        proof.pop()
    else:
        # A rewritten history: the same sizes, one old leaf changed, proofs from the new tree.
        hashes = list(tree.levels[0])
        hashes[bit % m] = flip(hashes[bit % m], bit)
        forged = MemoryTree(hashes)
        proof, root = consistency_proof(m, n, forged.subtree), forged.root()
    assert not verify_consistency(old_size, size, proof, old_root, root)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 700), min_size=1, max_size=4))
def test_tiles_grown_batch_by_batch_prove_what_the_whole_tree_proves(batches: list[int]) -> None:
    tiles: dict[tuple[int, int], bytes] = {}
    hashes: list[bytes] = []
    for count in batches:
        new = [leaf_hash(f"{len(hashes) + i}".encode()) for i in range(count)]
        edge = {lvl: tiles[(lvl, idx)] for (lvl, idx) in tiles if _is_right_edge(lvl, idx, tiles)}
        tiles.update(extend_tiles(len(hashes), edge, new))
        hashes += new
    tree, reader = MemoryTree(hashes), TileSubtrees(tiles)
    n = len(hashes)
    assert tree_hash(n, reader) == tree.root()
    for index in (0, n // 2, n - 1):
        assert inclusion_proof(index, n, reader) == inclusion_proof(index, n, tree.subtree)
    assert consistency_proof(n // 3, n, reader) == consistency_proof(n // 3, n, tree.subtree)
    for (level, index), content in tiles.items():
        assert len(content) == 32 * tile_width_at(level, index, n)


def _is_right_edge(level: int, index: int, tiles: dict[tuple[int, int], bytes]) -> bool:
    return (level, index + 1) not in tiles and len(tiles[(level, index)]) < 32 * TILE_WIDTH


def test_tile_paths_follow_c2sp_tlog_tiles() -> None:
    assert encode_index(1234067) == "x001/x234/067"
    assert encode_index(5) == "005"
    assert TileRef(1, 1234067).path() == "tile/1/x001/x234/067"
    assert TileRef(0, 7, 16).path() == "tile/0/007.p/16"
    assert TileRef(None, 0, 3).path() == "tile/entries/000.p/3"
    assert parse_tile_path("tile/entries/x001/000.p/255") == TileRef(None, 1000, 255)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/7",
        "tile/0/x000/007",
        "tile/0/007.p/256",
        "tile/0/007.p/0",
        "tile/0/007.p/016",
        "tile/01/007",
        "tile/9/007",
        "tile/0/007/",
        "../tile/0/007",
        "tile/x/007",
    ],
)
def test_a_tile_path_that_is_not_canonical_is_refused(path: str) -> None:
    with pytest.raises(ValueError):
        parse_tile_path(path)


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_an_entry_bundle_gives_back_its_entries(entries: list[bytes]) -> None:
    assert parse_entry_bundle(entry_bundle(entries)) == entries


def test_a_checkpoint_signed_by_the_log_key_opens(root: SoftwareSigner) -> None:
    checkpoint = Checkpoint(ORIGIN, 3, b"\x07" * 32)
    note = sign_checkpoint(checkpoint, root)
    root_b64 = base64.b64encode(b"\x07" * 32).decode()
    assert note.startswith(f"{ORIGIN}\n3\n{root_b64}\n\n\u2014 {ORIGIN} ")
    assert open_checkpoint(note, [root.public_key()], ORIGIN) == checkpoint
    assert vkey(ORIGIN, root.public_key()).startswith(
        f"{ORIGIN}+{key_id(ORIGIN, root.public_key()).hex()}+"
    )


def test_a_checkpoint_signed_by_another_key_is_refused(root: SoftwareSigner) -> None:
    other = make_signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, b"\x07" * 32), other)
    with pytest.raises(TlogError, match="trusted"):
        open_checkpoint(note, [root.public_key()])


def test_a_checkpoint_whose_text_was_changed_is_refused(root: SoftwareSigner) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, b"\x07" * 32), root)
    with pytest.raises(TlogError, match="does not verify"):
        open_checkpoint(note.replace("\n3\n", "\n4\n", 1), [root.public_key()])


def test_a_checkpoint_of_another_log_is_refused(root: SoftwareSigner) -> None:
    note = sign_checkpoint(Checkpoint("evil.example/log", 3, b"\x07" * 32), root)
    with pytest.raises(TlogError, match="origin"):
        open_checkpoint(note, [root.public_key()], ORIGIN)


def test_only_ed25519_keys_sign_checkpoints() -> None:
    with pytest.raises(TlogError):
        sign_checkpoint(Checkpoint(ORIGIN, 1, b"\x00" * 32), make_signer(ALG_ES256))


@given(st.text(max_size=200))
def test_any_text_either_parses_as_a_checkpoint_or_is_refused(text: str) -> None:
    with contextlib.suppress(TlogError):
        parse_checkpoint_text(text)


@given(st.text(max_size=400))
def test_any_text_either_parses_as_a_proof_or_is_refused(text: str) -> None:
    with contextlib.suppress(TlogError):
        parse_proof(text)


def _logged(root: SoftwareSigner, n: int, index: int) -> tuple[bytes, Proof]:
    signer = make_signer()
    credentials = [
        leaf_data_of(encode(make_payload(cti=bytes([i]) * 16), signer)) for i in range(n)
    ]
    tree = MemoryTree([leaf_hash(c) for c in credentials])
    note = sign_checkpoint(Checkpoint(ORIGIN, n, tree.root()), root)
    proof = Proof(index, tuple(inclusion_proof(index, n, tree.subtree)), note)
    return credentials[index], parse_proof(proof.text())


def test_a_logged_credential_verifies_against_its_proof(root: SoftwareSigner) -> None:
    credential, proof = _logged(root, 5, 3)
    assert verify_inclusion(credential, proof, None, [root.public_key()], ORIGIN)


def test_a_credential_absent_from_the_log_does_not_verify(root: SoftwareSigner) -> None:
    credential, proof = _logged(root, 5, 3)
    stranger = leaf_data_of(encode(make_payload(cti=b"\xee" * 16), make_signer()))
    assert not verify_inclusion(stranger, proof, None, [root.public_key()], ORIGIN)
    assert not verify_inclusion(credential, proof, None, [make_signer().public_key()], ORIGIN)


def test_a_proof_keeps_its_extra_data(root: SoftwareSigner) -> None:
    _, proof = _logged(root, 2, 0)
    again = parse_proof(Proof(proof.index, proof.hashes, proof.checkpoint, b"cti").text())
    assert again.extra == b"cti" and again.hashes == proof.hashes


def test_a_proof_of_a_smaller_tree_does_not_pass_for_a_larger_one_with_the_same_root() -> None:
    leaves, tree = tree_of(3)
    proof = inclusion_proof(0, 3, tree.subtree)
    assert verify_path(leaf_hash(leaves[0]), 0, 3, proof, tree.root())
    assert not verify_path(leaf_hash(leaves[0]), 0, 5, proof, tree.root())


def test_a_checkpoint_signed_under_another_name_than_its_origin_is_refused(
    root: SoftwareSigner,
) -> None:
    note = sign_note(Checkpoint(ORIGIN, 3, b"\x07" * 32).text(), "some-other-log", root)
    with pytest.raises(TlogError, match="origin"):
        open_checkpoint(note, [root.public_key()])
